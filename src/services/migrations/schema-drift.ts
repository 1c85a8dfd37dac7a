import type BetterSqlite3 from 'better-sqlite3';
import type {Knex} from 'knex';
import type pg from 'pg';

import type {Database} from '../../db/connection.js';
import {type SchemaSnapshot, snapshotPostgres, snapshotSqlite} from '../../db/schema-snapshot.js';
import {inScratchSchema} from '../../repositories/migration-facts.js';
import {buildAtRevision} from './apply.js';

export interface SchemaDrift {
  /** Objects the chain builds at this revision that the database lacks. */
  missing: string[];
  /** Objects the database has that the chain does not build. */
  extra: string[];
  /** Objects both have, defined differently. */
  different: string[];
}

/**
 * The live schema against the one prefectdb's chain builds at the database's own revision,
 * object by object (column order aside: Prefect's own databases differ in it). The reference
 * is built where it leaves no trace: an in-memory SQLite database, or on PostgreSQL a scratch
 * schema inside a transaction that is rolled back.
 */
export async function schemaDrift(db: Database, revision: string): Promise<SchemaDrift> {
  const [expected, actual] = db.dialect === 'sqlite' ? await sqliteSnapshots(db, revision) : await postgresSnapshots(db, revision);
  const drift: SchemaDrift = {missing: [], extra: [], different: []};
  for (const key of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const [want, got] = [expected.get(key), actual.get(key)];
    if (got === undefined) drift.missing.push(key);
    else if (want === undefined) drift.extra.push(key);
    else if (want !== got) drift.different.push(key);
  }
  return drift;
}

async function withRawSqlite<T>(knex: Knex, use: (connection: BetterSqlite3.Database) => T): Promise<T> {
  const connection = (await knex.client.acquireConnection()) as BetterSqlite3.Database;
  try {
    return use(connection);
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

async function sqliteSnapshots(db: Database, revision: string): Promise<[SchemaSnapshot, SchemaSnapshot]> {
  const {default: createKnex} = await import('knex');
  const scratch = createKnex({client: 'better-sqlite3', connection: {filename: ':memory:'}, useNullAsDefault: true, pool: {min: 1, max: 1}});
  try {
    await buildAtRevision(scratch, 'sqlite', revision);
    const expected = await withRawSqlite(scratch, (connection) => snapshotSqlite(connection));
    const actual = await withRawSqlite(db.knex, (connection) => snapshotSqlite(connection));
    return [expected, actual];
  } finally {
    await scratch.destroy();
  }
}

/** snapshotPostgres only runs queries: a knex connection (or transaction) serves as its client. */
function queryable(knex: Knex): pg.Client {
  return {query: (sql: string) => knex.raw(sql)} as unknown as pg.Client;
}

async function postgresSnapshots(db: Database, revision: string): Promise<[SchemaSnapshot, SchemaSnapshot]> {
  const actual = await snapshotPostgres(queryable(db.knex));
  const expected = await inScratchSchema(db.knex, async (trx) => {
    await buildAtRevision(trx, 'postgres', revision);
    return snapshotPostgres(queryable(trx));
  });
  return [expected, actual];
}
