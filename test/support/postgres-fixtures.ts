import {copyFileSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import Database from 'better-sqlite3';
import pg from 'pg';

import {PostgresCodec} from '../../src/db/codecs/postgres-codec.js';
import {SqliteCodec} from '../../src/db/codecs/sqlite-codec.js';
import type {Dialect} from '../../src/db/dialect.js';
import {createPostgresDatabase, FIXTURE_DIR, tempDir} from './databases.js';
import {requirePostgres} from './dialects.js';

const SCHEMA_DIR = fileURLToPath(new URL('../fixtures/schemas/', import.meta.url));

/**
 * The PostgreSQL revision of the same migration as each fixture's SQLite revision
 * (prefect-reference/schema.md §2). Only these have reference dumps in test/fixtures/schemas.
 */
export const POSTGRES_REVISION_FOR: Readonly<Record<string, string>> = {
  c2d001b7dd06: '50f8c182c3ca',
  '824e9edafa60': '15768c2ec702',
  '9e83011d1f2a': '9e83011d1f2a',
};

export interface LoadedFixture {
  url: string;
  drop(): Promise<void>;
}

const sqliteCodec = new SqliteCodec();
const postgresCodec = new PostgresCodec();

// Keeps each multi-row INSERT under PostgreSQL's 65,535 bind-parameter limit.
const MAX_PARAMETERS = 30_000;

/**
 * A fresh PostgreSQL database holding what Prefect's PG dialect would have stored for the
 * data in a real SQLite fixture: the schema comes from the reference dump of the matching
 * PG revision, every row of every table is copied, and values are converted per PG column
 * type as read from the catalogue. Fails if any table's row count differs afterwards.
 * `fixtureFile` is a file name in test/fixtures/prefect-dbs/ or a path to a SQLite file.
 */
export async function loadFixtureIntoPostgres(fixtureFile: string): Promise<LoadedFixture> {
  // Opening a WAL database, even read-only, creates side files: work on a private copy.
  const copy = path.join(tempDir(), path.basename(fixtureFile));
  copyFileSync(path.dirname(fixtureFile) === '.' ? path.join(FIXTURE_DIR, fixtureFile) : fixtureFile, copy);
  const sqlite = new Database(copy, {readonly: true, fileMustExist: true});
  const database = await createPostgresDatabase('fixture');
  const client = new pg.Client({connectionString: database.url});
  let loaded = false;
  try {
    const sqliteRevision = sqlite.prepare('select version_num from alembic_version').pluck().get() as string;
    const postgresRevision = POSTGRES_REVISION_FOR[sqliteRevision];
    if (!postgresRevision) throw new Error(`${fixtureFile}: no PostgreSQL reference schema for SQLite revision ${sqliteRevision}`);

    await client.connect();
    // One simple-protocol query: the dump runs as a single implicit transaction and stops at the first error.
    await client.query(readFileSync(path.join(SCHEMA_DIR, `postgresql-${postgresRevision}.sql`), 'utf8'));
    const columnTypes = await readColumnTypes(client);
    const tables = sqliteTables(sqlite);

    await client.query('begin');
    // The schema has circular foreign keys (flow_run ↔ flow_run_state, work_pool ↔ work_queue …);
    // replica mode skips FK triggers for this transaction so tables load in any order.
    await client.query('set local session_replication_role = replica');
    for (const table of tables) {
      const pgColumns = columnTypes.get(table);
      if (!pgColumns) throw new Error(`table ${table} of ${fixtureFile} is missing from PostgreSQL revision ${postgresRevision}`);
      if (table === 'alembic_version') {
        await client.query('insert into public.alembic_version (version_num) values ($1)', [postgresRevision]);
        continue;
      }
      await copyTable(sqlite, client, table, pgColumns);
    }
    await client.query('commit');

    await assertRowCountsEqual(sqlite, client, tables);
    loaded = true;
    return {url: database.url, drop: database.drop};
  } finally {
    sqlite.close();
    // End our session before a failed load's database is dropped (the forced drop would kill it).
    await client.end();
    if (!loaded) await database.drop();
  }
}

function sqliteTables(sqlite: Database.Database): string[] {
  return sqlite
    .prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name`)
    .pluck()
    .all() as string[];
}

/** table → column → PostgreSQL data_type ('timestamp with time zone', 'jsonb', 'USER-DEFINED' …). */
async function readColumnTypes(client: pg.Client): Promise<Map<string, Map<string, string>>> {
  const {rows} = await client.query<{table_name: string; column_name: string; data_type: string}>(
    `select table_name, column_name, data_type from information_schema.columns where table_schema = 'public'`,
  );
  const tables = new Map<string, Map<string, string>>();
  for (const {table_name, column_name, data_type} of rows) {
    if (!tables.has(table_name)) tables.set(table_name, new Map());
    tables.get(table_name)!.set(column_name, data_type);
  }
  return tables;
}

async function copyTable(
  sqlite: Database.Database,
  client: pg.Client,
  table: string,
  pgColumns: ReadonlyMap<string, string>,
): Promise<void> {
  const columns = (sqlite.prepare('select name from pragma_table_info(?)').pluck().all(table) as string[]).sort();
  const pgNames = [...pgColumns.keys()].sort();
  if (columns.join() !== pgNames.join()) {
    throw new Error(`columns of ${table} differ between dialects: SQLite [${columns}] vs PostgreSQL [${pgNames}]`);
  }
  const rows = sqlite.prepare(`select ${columns.map(quoteIdent).join(', ')} from ${quoteIdent(table)}`).raw().all() as unknown[][];
  const rowsPerInsert = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  for (let start = 0; start < rows.length; start += rowsPerInsert) {
    const batch = rows.slice(start, start + rowsPerInsert);
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const placeholders = row.map((raw, i) => {
        values.push(toPostgres(raw, pgColumns.get(columns[i])!));
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await client.query(
      `insert into public.${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) values ${tuples.join(', ')}`,
      values,
    );
  }
}

/** Converts one stored SQLite value to the parameter PostgreSQL stores for a column of this type. */
function toPostgres(raw: unknown, pgType: string): unknown {
  if (raw === null) return null;
  switch (pgType) {
    case 'timestamp with time zone':
      return postgresCodec.encodeTimestamp(sqliteCodec.decodeTimestamp(raw));
    case 'interval':
      return postgresCodec.encodeInterval(sqliteCodec.decodeInterval(raw));
    case 'json':
    case 'jsonb':
      // Prefect's PG driver binds the same json.dumps text it writes to SQLite; passing the
      // text through keeps plain `json` columns byte-identical. NUMERIC affinity may have
      // turned a scalar into a number.
      return typeof raw === 'string' ? raw : JSON.stringify(raw);
    case 'boolean':
      return sqliteCodec.decodeBoolean(raw);
    default:
      // uuid, varchar/text, enums (stored by name in both dialects), integers, floats.
      return raw;
  }
}

async function assertRowCountsEqual(sqlite: Database.Database, client: pg.Client, tables: string[]): Promise<void> {
  const mismatches: string[] = [];
  for (const table of tables) {
    const expected = sqlite.prepare(`select count(*) from ${quoteIdent(table)}`).pluck().get() as number;
    const {rows} = await client.query<{count: string}>(`select count(*) from public.${quoteIdent(table)}`);
    if (Number(rows[0].count) !== expected) mismatches.push(`${table}: SQLite ${expected}, PostgreSQL ${rows[0].count}`);
  }
  if (mismatches.length > 0) throw new Error(`row counts differ after loading: ${mismatches.join('; ')}`);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The database a behaviour test of `dialect` runs on for a SQLite fixture: a private copy
 * on SQLite, the same rows loaded into a fresh database on PostgreSQL (skipped or failed by
 * requirePostgres when there is no server). Call from a before() hook; drop() in after().
 */
export async function fixtureDatabase(
  context: Mocha.Context,
  dialect: Dialect,
  fixtureFile: string,
): Promise<{url: string; drop: () => Promise<void>}> {
  if (dialect === 'sqlite') {
    const source = path.dirname(fixtureFile) === '.' ? path.join(FIXTURE_DIR, fixtureFile) : fixtureFile;
    const url = path.join(tempDir(), path.basename(fixtureFile));
    copyFileSync(source, url);
    return {url, drop: async () => undefined};
  }
  await requirePostgres(context);
  return loadFixtureIntoPostgres(fixtureFile);
}
