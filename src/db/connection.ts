import {existsSync, statSync} from 'node:fs';

import type {Knex} from 'knex';

import {unavailableError} from '../errors.js';
import {codecFor, type Codec} from './codecs/index.js';
import type {Dialect} from './dialect.js';
import type {DatabaseTarget} from './url.js';

export interface OpenOptions {
  /** Open for writing: sets WAL and takes write locks. Reads open SQLite read-only. */
  write?: boolean;
  /** Create the SQLite file if it is missing (db init / db seed only). */
  create?: boolean;
}

export interface Database {
  readonly knex: Knex;
  readonly dialect: Dialect;
  readonly codec: Codec;
  readonly target: DatabaseTarget;
}

// Prefect's per-connection SQLite settings (configurations.py), minus journal_mode, which
// only writers set: switching a rollback-journal file to WAL would rewrite its header.
// Knex logs pool and deprecation chatter to stdout/stderr; the CLI reports errors itself.
const quietLog = {
  warn: (message: unknown) => debugLog(message),
  error: (message: unknown) => debugLog(message),
  deprecate: (message: unknown) => debugLog(message),
  debug: (message: unknown) => debugLog(message),
};

function debugLog(message: unknown): void {
  if (process.env.DEBUG) process.stderr.write(`knex: ${String(message)}\n`);
}

const SQLITE_PRAGMAS = ['foreign_keys = ON', 'busy_timeout = 60000', 'synchronous = NORMAL', 'legacy_alter_table = OFF'];

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const {default: createKnex} = await import('knex');
  const knex = target.dialect === 'sqlite' ? await sqliteKnex(createKnex, target.filename, options) : await postgresKnex(createKnex, target.connectionString);
  try {
    // Touch the file's schema so a non-database file fails here, not mid-command.
    await knex.raw(target.dialect === 'sqlite' ? 'select count(*) from sqlite_master' : 'select 1');
  } catch (error) {
    await knex.destroy();
    throw unavailableError(describeConnectError(target, error));
  }
  return {knex, dialect: target.dialect, codec: codecFor(target.dialect), target};
}

/** A raw better-sqlite3 connection, as the driver hands it out. */
export interface RawSqliteConnection {
  prepare(sql: string): {iterate(...bindings: unknown[]): IterableIterator<Record<string, unknown>>; safeIntegers(on: boolean): unknown};
  pragma(sql: string): unknown;
  close(): void;
}

/**
 * A second connection to the same SQLite file, made and set up as the pool's own. A
 * statement being stepped through keeps its connection busy, so a list read row by row
 * walks on this one while the pooled one answers the lookups in between.
 */
export async function openSideSqliteConnection(db: Database): Promise<RawSqliteConnection> {
  const client = (db.knex as unknown as {client: {acquireRawConnection(): Promise<RawSqliteConnection>}}).client;
  const conn = await client.acquireRawConnection();
  for (const pragma of SQLITE_PRAGMAS) conn.pragma(pragma);
  return conn;
}

async function sqliteKnex(createKnex: typeof import('knex').default, filename: string, options: OpenOptions): Promise<Knex> {
  if (!existsSync(filename)) {
    if (!options.create) {
      throw unavailableError(
        `database file ${filename} does not exist (point --db or PREFECTDB_DATABASE_URL at a Prefect database, or create one with \`prefectdb db init\`)`,
      );
    }
  } else if (!statSync(filename).isFile()) {
    throw unavailableError(`${filename} is not a file (point --db at a Prefect SQLite database file)`);
  } else if (options.write && !options.create && statSync(filename).size === 0) {
    // A writer switches the file to WAL on connect, which would write into an empty file
    // before the schema check could refuse it.
    throw unavailableError(`database file ${filename} is empty: not a Prefect database (create one with \`prefectdb db init\`)`);
  }
  const {ImmediateBetterSqliteClient} = await import('./sqlite-client.js');
  const readonly = !options.write && !options.create;
  return createKnex({
    client: ImmediateBetterSqliteClient as unknown as typeof Knex.Client,
    connection: {filename, options: {readonly}},
    useNullAsDefault: true,
    log: quietLog,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: {pragma(sql: string): unknown}, done: (err: Error | null, conn: unknown) => void) {
        try {
          for (const pragma of SQLITE_PRAGMAS) conn.pragma(pragma);
          if (!readonly) conn.pragma('journal_mode = WAL');
          done(null, conn);
        } catch (error) {
          done(error as Error, conn);
        }
      },
    },
  });
}

async function postgresKnex(createKnex: typeof import('knex').default, connectionString: string): Promise<Knex> {
  const {postgresTypeParsers} = await import('./postgres-types.js');
  return createKnex({
    client: 'pg',
    connection: {connectionString, types: postgresTypeParsers, connectionTimeoutMillis: 10_000} as Knex.PgConnectionConfig,
    // A short-lived CLI: idle pooled clients would keep the process alive.
    pool: {
      min: 0,
      max: 4,
      afterCreate(conn: {query(sql: string, cb: (err: Error | null) => void): void}, done: (err: Error | null, conn: unknown) => void) {
        conn.query("SET TIME ZONE 'UTC'; SET intervalstyle = 'postgres'", (err) => done(err, conn));
      },
    },
    acquireConnectionTimeout: 15_000,
    log: quietLog,
  });
}

function describeConnectError(target: DatabaseTarget, error: unknown): string {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (target.dialect === 'sqlite') {
    return `cannot open SQLite database ${target.display}: ${reason}`;
  }
  return `cannot connect to PostgreSQL at ${target.display}: ${reason || 'connection failed'} (is the server running? check --db / PREFECTDB_DATABASE_URL)`;
}
