import path from 'node:path';

import {expect} from 'chai';

import {openDatabase, type Database} from '../../src/db/connection.js';
import type {Dialect} from '../../src/db/dialect.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {findColumn} from '../../src/schema/head.js';
import {runCli, type CliResult} from '../support/cli.js';
import {createPostgresDatabase, tempDir} from '../support/databases.js';

/** A fixed "as of" time, so seeds are comparable across runs and dialects. */
export const SEED_NOW = '2026-01-15T12:00:00Z';

/** Unset every variable that chooses the database, so the caller's environment cannot leak in. */
export const NO_DATABASE_ENV = {
  PREFECTDB_DATABASE_URL: undefined,
  PREFECT_SERVER_DATABASE_CONNECTION_URL: undefined,
  PREFECT_API_DATABASE_CONNECTION_URL: undefined,
  PREFECT_HOME: undefined,
};

export interface EmptyDatabase {
  /** What --db takes. */
  url: string;
  drop(): Promise<void>;
}

/** A database that does not exist yet (SQLite) or is empty (PostgreSQL). */
export async function emptyDatabase(dialect: Dialect): Promise<EmptyDatabase> {
  if (dialect === 'sqlite') return {url: path.join(tempDir(), 'seeded.db'), drop: async () => undefined};
  const database = await createPostgresDatabase('seed');
  return {url: database.url, drop: database.drop};
}

export async function seed(url: string, args: string[] = []): Promise<CliResult> {
  return runCli(['db', 'seed', '--db', url, '--now', SEED_NOW, ...args], NO_DATABASE_ENV);
}

export async function seedOrFail(url: string, args: string[] = []): Promise<void> {
  const result = await seed(url, args);
  expect(result.exitCode, result.stderr).to.equal(0);
}

/** Opens the database the way the CLI does (codec, type parsers) for reading back. */
export async function openForReading(url: string): Promise<Database> {
  return openDatabase(resolveDatabaseTarget(url, {}), {});
}

export type DomainRow = Record<string, unknown>;

/** Every row of a table, decoded to domain values by the codec, ordered by id. */
export async function readTable(db: Database, table: string, where?: (qb: import('knex').Knex.QueryBuilder) => void): Promise<DomainRow[]> {
  const query = db.knex(table).select('*').orderBy('id');
  if (where) where(query);
  const rows: DomainRow[] = await query;
  return rows.map((row) => {
    const out: DomainRow = {};
    for (const [column, raw] of Object.entries(row)) {
      const type = findColumn(table, column)?.type;
      out[column] = type ? db.codec.decode(type, raw) : raw;
    }
    return out;
  });
}
