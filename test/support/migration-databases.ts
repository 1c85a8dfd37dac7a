import {createHash} from 'node:crypto';
import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';

import type {Dialect} from '../../src/db/dialect.js';
import {type SchemaSnapshot, snapshotPostgres, snapshotSqlite} from '../../src/db/schema-snapshot.js';
import {createPostgresDatabase, tempDir} from './databases.js';

/**
 * Databases for the migration commands' tests, named by their --db value (a SQLite path or
 * a PostgreSQL URL), with the plain-SQL access the tests need to plant rows and to prove
 * what changed.
 */

export interface Scratch {
  url: string;
  drop(): Promise<void>;
}

/** A location with nothing in it: a SQLite path that does not exist yet, or an empty PG database. */
export async function emptyDatabase(dialect: Dialect, label = 'mig'): Promise<Scratch> {
  if (dialect === 'sqlite') return {url: path.join(tempDir(), `${label}-${Math.random().toString(36).slice(2, 8)}.db`), drop: async () => undefined};
  return createPostgresDatabase(label);
}

const isPostgres = (url: string) => url.startsWith('postgres');

/** Runs statements (no results) on the database. */
export async function execDb(url: string, ...statements: string[]): Promise<void> {
  if (!isPostgres(url)) {
    const db = new Database(url);
    try {
      for (const statement of statements) db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function schemaOf(url: string, options: {columnOrder?: boolean} = {}): Promise<SchemaSnapshot> {
  if (!isPostgres(url)) {
    const db = new Database(url, {readonly: true});
    try {
      return snapshotSqlite(db, options);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    return await snapshotPostgres(client, options);
  } finally {
    await client.end();
  }
}

/**
 * Every table's rows as one digest per table, with `ignore` columns left out of each row
 * (ids and timestamps that migrations make afresh, as Prefect's do).
 */
export async function rowsOf(url: string, ignore: readonly string[] = []): Promise<Record<string, string>> {
  const tables = await tableRows(url);
  const digests: Record<string, string> = {};
  for (const [table, rows] of tables) {
    const texts = rows.map((row) => {
      const kept = Object.fromEntries(Object.entries(row).filter(([column]) => !ignore.includes(column)).sort(([a], [b]) => a.localeCompare(b)));
      return JSON.stringify(kept, (_key, value) => (typeof value === 'bigint' ? String(value) : Buffer.isBuffer(value) ? value.toString('hex') : value));
    });
    digests[table] = `${rows.length}:${createHash('sha256').update(texts.sort().join('\n')).digest('hex').slice(0, 16)}`;
  }
  return digests;
}

async function tableRows(url: string): Promise<Map<string, Array<Record<string, unknown>>>> {
  const result = new Map<string, Array<Record<string, unknown>>>();
  if (!isPostgres(url)) {
    const db = new Database(url, {readonly: true});
    try {
      const names = db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name`).pluck().all() as string[];
      for (const name of names) result.set(name, db.prepare(`select * from "${name}"`).all() as Array<Record<string, unknown>>);
    } finally {
      db.close();
    }
    return result;
  }
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    const names = (await client.query<{name: string}>(`select tablename as name from pg_tables where schemaname = current_schema() order by tablename`)).rows;
    for (const {name} of names) result.set(name, (await client.query(`select * from "${name}"`)).rows);
  } finally {
    await client.end();
  }
  return result;
}

/** Schema and rows together: equal before and after exactly when nothing was written. */
export async function fingerprintOf(url: string): Promise<string> {
  const schema = [...(await schemaOf(url, {columnOrder: true}))].sort();
  return JSON.stringify({schema, rows: await rowsOf(url)});
}

export async function revisionOf(url: string): Promise<string> {
  if (!isPostgres(url)) {
    const db = new Database(url, {readonly: true});
    try {
      return db.prepare('select version_num from alembic_version').pluck().get() as string;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    return (await client.query<{version_num: string}>('select version_num from alembic_version')).rows[0].version_num;
  } finally {
    await client.end();
  }
}
