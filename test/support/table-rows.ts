import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

import Database from 'better-sqlite3';
import pg from 'pg';

import type {Dialect} from '../../src/db/dialect.js';

export type RawRow = Record<string, unknown>;

/**
 * Rows exactly as each driver hands them over, read with plain SQL (not through prefectdb):
 * on SQLite the stored text/integers, on PostgreSQL node-pg's default values (jsonb parsed,
 * timestamptz as Date).
 */
export async function readRows(dialect: Dialect, url: string, sql: string, params: unknown[] = []): Promise<RawRow[]> {
  if (dialect === 'sqlite') {
    const sqlite = new Database(url, {readonly: true, fileMustExist: true});
    try {
      return sqlite.prepare(sql.replace(/\$\d+/g, '?')).all(...params) as RawRow[];
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as RawRow[];
  } finally {
    await client.end();
  }
}

/** Every table's rows in a stable order: what "nothing else was touched" compares. */
export async function snapshotTables(dialect: Dialect, url: string): Promise<Record<string, RawRow[]>> {
  const tables = (
    await readRows(
      dialect,
      url,
      dialect === 'sqlite'
        ? `select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name`
        : `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
    )
  ).map((row) => String(row.name));
  const snapshot: Record<string, RawRow[]> = {};
  for (const table of tables) {
    const order = table === 'alembic_version' ? 'version_num' : 'id';
    const rows = await readRows(dialect, url, `select * from "${table}" order by ${order}`);
    snapshot[table] = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])));
  }
  return snapshot;
}

/** The snapshot without the named tables. */
export function without(snapshot: Record<string, RawRow[]>, ...tables: string[]): Record<string, RawRow[]> {
  return Object.fromEntries(Object.entries(snapshot).filter(([table]) => !tables.includes(table)));
}

export const fileHash = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A stored timestamp as each dialect keeps it: SQLite naive UTC text with six digits, PG a Date. */
export function isStoredTimestamp(dialect: Dialect, value: unknown): boolean {
  if (dialect === 'postgres') return value instanceof Date && !Number.isNaN(value.getTime());
  return typeof value === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/.test(value);
}

/** Milliseconds since a stored timestamp. */
export function ageMillis(dialect: Dialect, value: unknown): number {
  const millis = dialect === 'postgres' ? (value as Date).getTime() : Date.parse(String(value).replace(' ', 'T') + 'Z');
  return Date.now() - millis;
}

/** What a stored JSON value reads back as: SQLite JSON text (Python json.dumps style), or parsed jsonb on PG. */
export function storedJson(dialect: Dialect, sqliteText: string, value: unknown): unknown {
  return dialect === 'sqlite' ? sqliteText : value;
}

export function storedBoolean(dialect: Dialect, value: boolean): unknown {
  return dialect === 'sqlite' ? (value ? 1 : 0) : value;
}

export const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Runs a statement with plain SQL (test set-up only). */
export async function execute(dialect: Dialect, url: string, sql: string, params: unknown[] = []): Promise<void> {
  if (dialect === 'sqlite') {
    const sqlite = new Database(url, {fileMustExist: true});
    try {
      sqlite.prepare(sql.replace(/\$\d+/g, '?')).run(...params);
    } finally {
      sqlite.close();
    }
    return;
  }
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}
