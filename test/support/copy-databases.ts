import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import Database from 'better-sqlite3';
import {expect} from 'chai';
import pg from 'pg';

import {canonicalJson, parseJsonText} from '../../src/db/codecs/json-text.js';
import {createPostgresDatabase, FIXTURE_DIR, tempDir} from './databases.js';

const SCHEMA_DIR = fileURLToPath(new URL('../fixtures/schemas/', import.meta.url));

/** A new SQLite file holding the schema, and no rows, of a real Prefect database (what its server built). */
export function emptySqliteLike(fixtureFile: string): string {
  const source = new Database(path.isAbsolute(fixtureFile) ? fixtureFile : path.join(FIXTURE_DIR, fixtureFile), {readonly: true});
  const file = path.join(tempDir(), `empty-${path.basename(fixtureFile)}`);
  const target = new Database(file);
  try {
    const ddl = source.prepare(`select sql from sqlite_master where sql is not null and name not like 'sqlite\\_%' escape '\\' order by rowid`).pluck().all() as string[];
    target.exec(ddl.join(';\n'));
  } finally {
    source.close();
    target.close();
  }
  return file;
}

/** A fresh PostgreSQL database holding Prefect's reference schema of `revision`, without the alembic_version row. */
export async function postgresWithReferenceSchema(revision: string): Promise<{url: string; drop: () => Promise<void>}> {
  const database = await createPostgresDatabase('copy');
  const client = new pg.Client({connectionString: database.url});
  await client.connect();
  try {
    const file = readdirSchema(revision);
    await client.query(readFileSync(path.join(SCHEMA_DIR, file), 'utf8'));
  } finally {
    await client.end();
  }
  return database;
}

function readdirSchema(revision: string): string {
  return revision === '9e9dadc36797' ? 'postgresql-9e9dadc36797-head.sql' : `postgresql-${revision}.sql`;
}

export interface StoredTable {
  columns: Array<{name: string; json: boolean}>;
  /** Every row as stored (PostgreSQL: each value's text output), in key order. */
  rows: unknown[][];
}

export type StoredDatabase = Map<string, StoredTable>;

export function storedSqliteRows(file: string): StoredDatabase {
  const db = new Database(file, {readonly: true});
  try {
    const tables = db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' and name not like 'prefectdb\\_%' escape '\\' order by name`).pluck().all() as string[];
    const stored: StoredDatabase = new Map();
    for (const table of tables) {
      const info = db.prepare(`select name, upper(type) as type from pragma_table_info(?) order by cid`).all(table) as Array<{name: string; type: string}>;
      const columns = info.map((c) => ({name: c.name, json: c.type === 'JSON'}));
      const key = columns.some((c) => c.name === 'id') ? 'id' : columns[0].name;
      const rows = db.prepare(`select ${columns.map((c) => `"${c.name}"`).join(', ')} from "${table}" order by "${key}"`).raw(true).all() as unknown[][];
      stored.set(table, {columns, rows});
    }
    return stored;
  } finally {
    db.close();
  }
}

export async function storedPostgresRows(url: string): Promise<StoredDatabase> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    await client.query("set time zone 'UTC'");
    const {rows: info} = await client.query<{table_name: string; column_name: string; data_type: string}>(
      `select c.table_name, c.column_name, c.data_type from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.table_name not like 'prefectdb\\_%'
        order by c.table_name, c.ordinal_position`,
    );
    const byTable = new Map<string, Array<{name: string; json: boolean}>>();
    for (const row of info) {
      if (!byTable.has(row.table_name)) byTable.set(row.table_name, []);
      byTable.get(row.table_name)!.push({name: row.column_name, json: row.data_type === 'json' || row.data_type === 'jsonb'});
    }
    const stored: StoredDatabase = new Map();
    for (const [table, columns] of [...byTable].sort(([a], [b]) => a.localeCompare(b))) {
      const key = columns.some((c) => c.name === 'id') ? 'id' : columns[0].name;
      const {rows} = await client.query<unknown[]>({
        text: `select ${columns.map((c) => `"${c.name}"::text`).join(', ')} from "${table}" order by "${key}"`,
        rowMode: 'array',
      });
      stored.set(table, {columns, rows});
    }
    return stored;
  } finally {
    await client.end();
  }
}

function sortedCharacters(text: string): string {
  return [...text].sort().join('');
}

/**
 * Every table, row and stored value the same, with the one allowance of a trip through
 * PostgreSQL's jsonb: object key order inside JSON. A reordered JSON text must still hold
 * exactly the same characters (numbers included: 0.0 stays 0.0).
 */
export function expectSameStoredRows(actual: StoredDatabase, expected: StoredDatabase, label: string): void {
  expect([...actual.keys()], `${label}: tables`).to.deep.equal([...expected.keys()]);
  let compared = 0;
  for (const [table, want] of expected) {
    const got = actual.get(table)!;
    expect(got.columns.map((c) => c.name), `${label}: columns of ${table}`).to.deep.equal(want.columns.map((c) => c.name));
    expect(got.rows.length, `${label}: rows of ${table}`).to.equal(want.rows.length);
    for (let r = 0; r < want.rows.length; r++) {
      for (let c = 0; c < want.columns.length; c++) {
        const where = `${label}: ${table}.${want.columns[c].name} of row ${String(want.rows[r][0])}`;
        const a = got.rows[r][c];
        const b = want.rows[r][c];
        compared += 1;
        if (a === b) continue;
        if (!want.columns[c].json || typeof a !== 'string' || typeof b !== 'string') {
          expect(a, where).to.equal(b);
          continue;
        }
        expect(canonicalJson(parseJsonText(a)), where).to.equal(canonicalJson(parseJsonText(b)));
        expect(sortedCharacters(a), `${where} (same text but for key order)`).to.equal(sortedCharacters(b));
      }
    }
  }
  expect(compared, `${label}: values compared`).to.be.greaterThan(100);
}

/** Every index of a SQLite file with its definition (autoindexes have none). */
export function sqliteIndexes(file: string): Array<{name: string; sql: string | null}> {
  const db = new Database(file, {readonly: true});
  try {
    return db.prepare(`select name, sql from sqlite_master where type = 'index' order by name`).all() as Array<{name: string; sql: string | null}>;
  } finally {
    db.close();
  }
}
