// Data migrations judged against Prefect's own: a case plants rows in the old encoding at a
// step's down revision and reads back what it cares about. Prefect's results (planted, after
// its upgrade, after its downgrade) are kept as fixtures under test/fixtures/migrations/data/
// (generate-data.ts makes them with shared/tools/prefect_alembic.py); the tests build the same
// database with prefectdb's chain alone, plant the same rows and compare.
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import {expect} from 'chai';
import type {Knex} from 'knex';
import pg from 'pg';

import {openDatabase} from '../../src/db/connection.js';
import type {Dialect} from '../../src/db/dialect.js';
import {applyStep, type ChainStep, type Direction, loadChain} from '../../src/db/migration-chain.js';
import {type SchemaSnapshot, snapshotPostgres, snapshotSqlite} from '../../src/db/schema-snapshot.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {createPostgresDatabase, removeTempDirs, tempDir} from './databases.js';
import {requirePostgres, testDialects} from './dialects.js';

export interface DataCaseSide {
  /** The step's revision on this dialect and the one below it. */
  revision: string;
  downRevision: string;
  /** Fixture file name (`<sqlite revision of the chain file>-<dialect>.json`). */
  fixture: string;
}

export interface DataCase {
  sqlite?: DataCaseSide;
  postgres?: DataCaseSide;
  /** Inserts the old-encoding rows into a database at downRevision. */
  plant(knex: Knex, dialect: Dialect): Promise<void>;
  /** What the comparison looks at; values the migration makes fresh are replaced by their shape. */
  read(knex: Knex, dialect: Dialect): Promise<unknown>;
}

export interface DataFixture {
  revision: string;
  downRevision: string;
  planted: unknown;
  up: unknown;
  down: unknown;
}

export const DATA_FIXTURE_DIR = new URL('../fixtures/migrations/data/', import.meta.url).pathname;

export function readDataFixture(file: string): DataFixture {
  const full = path.join(DATA_FIXTURE_DIR, file);
  if (!existsSync(full)) throw new Error(`missing fixture ${full}: run test/fixtures/migrations/data/generate-data.ts`);
  return JSON.parse(readFileSync(full, 'utf8')) as DataFixture;
}

/** Dates, Buffers and numeric strings as JSON holds them, so live rows and fixtures compare. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

export const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** `<uuid>` / `<timestamp>` for values a migration creates fresh; anything else is kept, so a wrong shape shows. */
export function shapeOf(value: unknown, kind: 'uuid' | 'timestamp'): unknown {
  const text = value instanceof Date ? value.toISOString() : String(value);
  if (kind === 'uuid') return UUID_SHAPE.test(text) ? '<uuid>' : value;
  return /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/.test(text) ? '<timestamp>' : value;
}

export interface ScratchDatabase {
  dialect: Dialect;
  knex: Knex;
  /** Its schema object by object, column order included. */
  snapshot(): Promise<SchemaSnapshot>;
  close(): Promise<void>;
}

/** An empty database of the dialect, opened for writing. */
export async function scratchDatabase(dialect: Dialect): Promise<ScratchDatabase> {
  if (dialect === 'sqlite') {
    const filename = path.join(tempDir(), 'chain.db');
    const db = await openDatabase(resolveDatabaseTarget(filename, {}), {write: true, create: true});
    const snapshot = async () => {
      const reader = new BetterSqlite3(filename, {readonly: true});
      try {
        return snapshotSqlite(reader, {columnOrder: true});
      } finally {
        reader.close();
      }
    };
    return {dialect, knex: db.knex, snapshot, close: () => db.knex.destroy()};
  }
  const created = await createPostgresDatabase('data');
  const db = await openDatabase(resolveDatabaseTarget(created.url, {}), {write: true});
  const snapshot = async () => {
    const client = new pg.Client({connectionString: created.url});
    await client.connect();
    try {
      return await snapshotPostgres(client, {columnOrder: true});
    } finally {
      await client.end();
    }
  };
  return {
    dialect,
    knex: db.knex,
    snapshot,
    close: async () => {
      await db.knex.destroy();
      await created.drop();
    },
  };
}

async function chainStep(dialect: Dialect, revision: string): Promise<{chain: ChainStep[]; index: number}> {
  const chain = await loadChain(dialect);
  const index = chain.findIndex((step) => step.revision === revision);
  if (index < 0) throw new Error(`no ${dialect} step ${revision} in migrations/`);
  return {chain, index};
}

/** The chain step whose revision on `dialect` is `revision`. */
export async function stepFor(dialect: Dialect, revision: string): Promise<ChainStep> {
  const {chain, index} = await chainStep(dialect, revision);
  return chain[index];
}

/** Builds the database up to `revision` with prefectdb's chain, from the 2.13.0 baseline. */
export async function buildAt(db: ScratchDatabase, revision: string): Promise<void> {
  const {chain, index} = await chainStep(db.dialect, revision);
  for (const step of chain.slice(0, index + 1)) await applyStep(db.knex, db.dialect, step, 'up');
}

/** Runs the one step whose revision is `revision`, upwards or downwards. */
export async function runStep(db: ScratchDatabase, revision: string, direction: Direction): Promise<ChainStep> {
  const {chain, index} = await chainStep(db.dialect, revision);
  await applyStep(db.knex, db.dialect, chain[index], direction);
  return chain[index];
}

/** Column names a table has now (steps add and drop them). */
export async function columnsOf(knex: Knex, dialect: Dialect, table: string): Promise<string[]> {
  if (dialect === 'sqlite') {
    const rows = (await knex.raw('select name from pragma_table_info(?)', [table])) as Array<{name: string}>;
    return rows.map((row) => row.name);
  }
  const result = (await knex.raw('select column_name from information_schema.columns where table_schema = current_schema() and table_name = ? order by ordinal_position', [
    table,
  ])) as {rows: Array<{column_name: string}>};
  return result.rows.map((row) => row.column_name);
}

export async function tableExists(knex: Knex, dialect: Dialect, table: string): Promise<boolean> {
  return (await columnsOf(knex, dialect, table)).length > 0;
}

/**
 * The mocha suite for a case, on each dialect it has and the test run asks for: the chain
 * builds the down revision, the case plants its rows, and what it reads must equal Prefect's
 * fixture after planting, after the step's up() and after its down().
 */
export function describeDataCase(title: string, dataCase: DataCase): void {
  describe(title, () => {
    for (const dialect of testDialects()) {
      const side = dataCase[dialect];
      if (!side) continue;
      describe(dialect, () => {
        let db: ScratchDatabase;
        const fixture = readDataFixture(side.fixture);
        before(async function () {
          if (dialect === 'postgres') await requirePostgres(this);
          db = await scratchDatabase(dialect);
          await buildAt(db, side.downRevision);
          await dataCase.plant(db.knex, dialect);
        });
        after(async () => {
          await db?.close();
          removeTempDirs();
        });

        it('plants the same rows as were planted in Prefect’s database', async () => {
          expect(plain(await dataCase.read(db.knex, dialect))).to.deep.equal(fixture.planted);
        });
        it(`up() to ${side.revision} leaves the rows Prefect's upgrade leaves`, async () => {
          await runStep(db, side.revision, 'up');
          expect(plain(await dataCase.read(db.knex, dialect))).to.deep.equal(fixture.up);
        });
        it(`down() to ${side.downRevision} leaves the rows Prefect's downgrade leaves`, async () => {
          await runStep(db, side.revision, 'down');
          expect(plain(await dataCase.read(db.knex, dialect))).to.deep.equal(fixture.down);
        });
      });
    }
  });
}

/** A fixed moment for planted rows, in the form each dialect's Prefect writes. */
export function plantedAt(dialect: Dialect): string {
  return dialect === 'sqlite' ? '2024-01-02 03:04:05.000000' : '2024-01-02T03:04:05+00:00';
}
