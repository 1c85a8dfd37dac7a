import path from 'node:path';

import type Database from 'better-sqlite3';
import knexFactory, {type Knex} from 'knex';

import type {Dialect} from '../../src/db/dialect.js';
import {applyStep, type ChainStep, type Direction, loadChain} from '../../src/db/migration-chain.js';
import {ImmediateBetterSqliteClient} from '../../src/db/sqlite-client.js';
import {createPostgresDatabase, tempDir} from './databases.js';

/** A scratch database (a temp SQLite file or a fresh PostgreSQL database) on one connection. */
export interface ScratchDatabase {
  dialect: Dialect;
  knex: Knex;
  drop(): Promise<void>;
}

export async function scratchDatabase(dialect: Dialect): Promise<ScratchDatabase> {
  if (dialect === 'sqlite') {
    const knex = knexFactory({
      client: ImmediateBetterSqliteClient as unknown as typeof Knex.Client,
      connection: {filename: path.join(tempDir(), 'chain.db')},
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: Database.Database, done: (error: Error | null, conn: unknown) => void) => {
          conn.pragma('legacy_alter_table = OFF');
          done(null, conn);
        },
      },
    });
    return {dialect, knex, drop: () => knex.destroy()};
  }
  const database = await createPostgresDatabase('chain');
  const knex = knexFactory({client: 'pg', connection: database.url, pool: {min: 1, max: 1}});
  return {
    dialect,
    knex,
    drop: async () => {
      await knex.destroy();
      await database.drop();
    },
  };
}

/** A database at `revision` built by prefectdb's own chain, from the 2.13.0 baseline up. */
export async function chainDatabaseAt(dialect: Dialect, revision: string): Promise<ScratchDatabase> {
  const database = await scratchDatabase(dialect);
  for (const step of await loadChain(dialect)) {
    await applyStep(database.knex, dialect, step, 'up');
    if (step.revision === revision) return database;
  }
  await database.drop();
  throw new Error(`revision ${revision} is not in prefectdb's ${dialect} chain`);
}

/** The chain step that ends at `revision`. */
export async function chainStep(dialect: Dialect, revision: string): Promise<ChainStep> {
  const step = (await loadChain(dialect, {allowGaps: true})).find((s) => s.revision === revision);
  if (!step) throw new Error(`no file in migrations/ has ${dialect} revision ${revision}`);
  return step;
}

export async function runStep(database: ScratchDatabase, revision: string, direction: Direction): Promise<void> {
  await applyStep(database.knex, database.dialect, await chainStep(database.dialect, revision), direction);
}

export async function currentRevision(knex: Knex): Promise<string | undefined> {
  const row = await knex('alembic_version').first('version_num');
  return row?.version_num;
}
