// Data migrations judged against Prefect's own: a case plants rows in the old encoding at a
// step's down revision and reads back what it cares about. Prefect's results (planted, after
// its upgrade, after its downgrade) are kept as fixtures under test/fixtures/migrations/data/
// (generate-data.ts makes them with shared/tools/prefect_alembic.py); the tests build the same
// database with prefectdb's chain alone, plant the same rows and compare.
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';

import {expect} from 'chai';
import type {Knex} from 'knex';

import type {Dialect} from '../../src/db/dialect.js';
import {chainDatabaseAt, runStep, type ScratchDatabase} from './chain-database.js';
import {removeTempDirs} from './databases.js';
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
          db = await chainDatabaseAt(dialect, side.downRevision);
          await dataCase.plant(db.knex, dialect);
        });
        after(async () => {
          await db?.drop();
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
