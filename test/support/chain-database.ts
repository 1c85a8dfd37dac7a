import path from 'node:path';

import type Database from 'better-sqlite3';
import knexFactory, {type Knex} from 'knex';

import type {Dialect} from '../../src/db/dialect.js';
import {applyStep, type ChainStep, type Direction, loadChain} from '../../src/db/migration-chain.js';
import {migrationKit} from '../../src/db/migration-kit.js';
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

/**
 * A database at `revision` built by prefectdb's own chain, from the 2.13.0 baseline up. While
 * later files are still being written (the chain's links then have gaps), a revision below
 * the first gap is still built from the baseline up; one above it starts from the head
 * shortcut (migrations/head) and walks the chain down instead.
 */
export async function chainDatabaseAt(dialect: Dialect, revision: string): Promise<ScratchDatabase> {
  const database = await scratchDatabase(dialect);
  const steps = await loadChain(dialect, {allowGaps: true});
  const linked = steps.findIndex((step, i) => step.downRevision !== (i === 0 ? null : steps[i - 1].revision));
  const fromBaseline = linked < 0 ? steps : steps.slice(0, linked);
  const target = fromBaseline.findIndex((step) => step.revision === revision);
  if (target >= 0) {
    for (const step of fromBaseline.slice(0, target + 1)) await applyStep(database.knex, dialect, step, 'up');
    return database;
  }
  if (linked < 0) throw new Error(`revision ${revision} is not in prefectdb's ${dialect} chain`);
  for (const statement of migrationKit.headSchemaStatements(dialect)) await database.knex.raw(statement);
  await database.knex('alembic_version').insert({version_num: migrationKit.headRevision(dialect)});
  for (const step of steps.reverse()) {
    if (step.revision === revision) return database;
    await applyStep(database.knex, dialect, step, 'down');
  }
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
