import {existsSync, statSync} from 'node:fs';

import type {Knex} from 'knex';

import {unavailableError} from '../errors.js';
import {codecFor, type Codec} from './codecs/index.js';
import type {Dialect} from './dialect.js';
import type {DatabaseTarget} from './url.js';

export interface OpenOptions {
  /** Open for writing: refused up front when the database cannot be written; sets WAL. Reads never write (see sqlite-access.ts). */
  write?: boolean;
  /** Create the SQLite file if it is missing (db init / db seed only). */
  create?: boolean;
}

export interface Database {
  readonly knex: Knex;
  readonly dialect: Dialect;
  readonly codec: Codec;
  readonly target: DatabaseTarget;
  /** Said on stderr by the command: what a read had to leave out (a WAL it could not read). */
  readonly readNotice?: string;
  /** SQLite: how the file was opened, for a reader of its own in another thread (absent for an in-memory snapshot). */
  readonly sqliteFile?: SqliteFileAccess;
}

/** What a second SQLite connection needs to open the same file the same way (db/off-thread.ts). */
export interface SqliteFileAccess {
  path: string;
  /** Opened read-only (a file this process may not write); otherwise read-write with query_only. */
  readonly: boolean;
  /** The pool connection's own per-connection settings. */
  pragmas: readonly string[];
}

function fileAccess(path: string, kind: SqliteOpenKind): SqliteFileAccess {
  return {path, readonly: kind === 'readonly', pragmas: SQLITE_PRAGMAS};
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
  if (target.dialect === 'postgres') {
    const knex = await postgresKnex(createKnex, target.connectionString);
    await checkConnection(knex, target, 'select 1');
    if (options.write) await refuseUnwritable(knex, target);
    return {knex, dialect: target.dialect, codec: codecFor(target.dialect), target};
  }
  checkSqliteFile(target.filename, options);
  if (options.write || options.create) {
    const {sqliteWriteBlocker} = await import('./sqlite-access.js');
    const blocker = sqliteWriteBlocker(target.filename);
    if (blocker) throw unavailableError(`cannot write to ${target.display}: ${blocker}`);
    const knex = await sqliteKnex(createKnex, target.filename, 'write');
    await checkConnection(knex, target, SQLITE_PROBE);
    return {knex, dialect: target.dialect, codec: codecFor(target.dialect), target, sqliteFile: fileAccess(target.filename, 'write')};
  }
  const {sqliteReadMode, sqliteSnapshot} = await import('./sqlite-access.js');
  const mode = sqliteReadMode(target.filename);
  if (mode.kind !== 'snapshot') {
    const knex = await sqliteKnex(createKnex, target.filename, mode.kind);
    try {
      await checkConnection(knex, target, SQLITE_PROBE);
      return {knex, dialect: target.dialect, codec: codecFor(target.dialect), target, sqliteFile: fileAccess(target.filename, mode.kind)};
    } catch (error) {
      // A WAL whose side files exist but cannot be opened here: read the main file instead.
      if (mode.kind !== 'readonly' || !existsSync(`${target.filename}-wal`)) throw error;
    }
  }
  const ignored = mode.kind === 'snapshot' ? mode.ignoredWalBytes : statSync(`${target.filename}-wal`).size;
  const knex = await sqliteKnex(createKnex, sqliteSnapshot(target.filename), 'snapshot');
  await checkConnection(knex, target, SQLITE_PROBE);
  const readNotice =
    ignored > 0
      ? `${target.display}-wal cannot be read from here (reading it needs a -shm file in a folder prefectdb may not write): its ${ignored.toLocaleString('en-US')} bytes of changes not yet in the main file are ignored`
      : undefined;
  return {knex, dialect: target.dialect, codec: codecFor(target.dialect), target, readNotice};
}

// Touches the schema so a non-database file fails here, not mid-command.
const SQLITE_PROBE = 'select count(*) from sqlite_master';

async function checkConnection(knex: Knex, target: DatabaseTarget, probe: string): Promise<void> {
  try {
    await knex.raw(probe);
  } catch (error) {
    await knex.destroy();
    throw unavailableError(describeConnectError(target, error));
  }
}

/** A raw better-sqlite3 connection, as the driver hands it out. */
export interface RawSqliteStatement {
  iterate(...bindings: unknown[]): IterableIterator<unknown>;
  safeIntegers(on: boolean): unknown;
  /** Rows as arrays of values rather than objects. */
  raw(on: boolean): RawSqliteStatement;
}

export interface RawSqliteConnection {
  prepare(sql: string): RawSqliteStatement;
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

async function refuseUnwritable(knex: Knex, target: DatabaseTarget): Promise<void> {
  const {postgresWriteBlocker} = await import('./write-access.js');
  const blocker = await postgresWriteBlocker(knex);
  if (!blocker) return;
  await knex.destroy();
  throw unavailableError(`cannot write to ${target.display}: ${blocker}`);
}

function checkSqliteFile(filename: string, options: OpenOptions): void {
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
}

type SqliteOpenKind = 'write' | 'readonly' | 'query-only' | 'snapshot';

async function sqliteKnex(createKnex: typeof import('knex').default, file: string | Buffer, kind: SqliteOpenKind): Promise<Knex> {
  const {ImmediateBetterSqliteClient} = await import('./sqlite-client.js');
  const readonly = kind === 'readonly' || kind === 'snapshot';
  return createKnex({
    client: ImmediateBetterSqliteClient as unknown as typeof Knex.Client,
    connection: {filename: file as string, options: {readonly}},
    useNullAsDefault: true,
    log: quietLog,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: {pragma(sql: string): unknown}, done: (err: Error | null, conn: unknown) => void) {
        try {
          for (const pragma of SQLITE_PRAGMAS) conn.pragma(pragma);
          if (kind === 'write') conn.pragma('journal_mode = WAL');
          if (kind === 'query-only') conn.pragma('query_only = ON');
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
