// Judges one prefectdb migration against Prefect's own script while it is being written:
//   node --import tsx test/support/check-step.ts sqlite|postgres REVISION [--keep]
// up:   Prefect's database at the step's down revision, then prefectdb's up()   vs Prefect's upgrade to REVISION
// down: Prefect's database at REVISION, then prefectdb's down()                 vs Prefect's downgrade to the down revision
// Each compared object by object, column order included. Needs shared/tools/prefect_alembic.py.
import {mkdirSync, rmSync} from 'node:fs';

import Database from 'better-sqlite3';
import knexFactory, {type Knex} from 'knex';
import pg from 'pg';

import type {Dialect} from '../../src/db/dialect.js';
import {applyStep, type ChainStep, type Direction, loadChain} from '../../src/db/migration-chain.js';
import {diffSnapshots, type SchemaSnapshot, snapshotPostgres, snapshotSqlite} from '../../src/db/schema-snapshot.js';
import {ImmediateBetterSqliteClient} from '../../src/db/sqlite-client.js';
import {prefectAlembic, referenceSqliteAt} from './prefect-alembic.js';

const ADMIN_URL = process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Scratch {
  /** What prefect_alembic takes as TARGET. */
  target: string;
  knex(): Knex;
  snapshot(): Promise<SchemaSnapshot>;
  drop(): Promise<void>;
}

async function scratchAt(dialect: Dialect, revision: string | null): Promise<Scratch> {
  mkdirSync('/tmp/prefectdb-reference', {recursive: true});
  if (dialect === 'sqlite') {
    const file = revision ? referenceSqliteAt(revision) : `/tmp/prefectdb-reference/empty-${process.pid}-${Math.random().toString(36).slice(2)}.db`;
    return {
      target: file,
      knex: () =>
        knexFactory({
          client: ImmediateBetterSqliteClient as unknown as typeof Knex.Client,
          connection: {filename: file},
          useNullAsDefault: true,
          pool: {min: 1, max: 1, afterCreate: (conn: Database.Database, done: (e: Error | null, c: unknown) => void) => {
            conn.pragma('legacy_alter_table = OFF');
            done(null, conn);
          }},
        }),
      snapshot: async () => {
        const db = new Database(file, {readonly: true});
        try {
          return snapshotSqlite(db, {columnOrder: true});
        } finally {
          db.close();
        }
      },
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, {force: true});
      },
    };
  }
  const name = `prefectdb_check_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({connectionString: ADMIN_URL});
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const target = url.toString().replace(/^postgres:/, 'postgresql:');
  if (revision) prefectAlembic(['upgrade', target, revision]);
  return {
    target,
    knex: () => knexFactory({client: 'pg', connection: url.toString(), pool: {min: 1, max: 1}}),
    snapshot: async () => {
      const client = new pg.Client({connectionString: url.toString()});
      await client.connect();
      try {
        return await snapshotPostgres(client, {columnOrder: true});
      } finally {
        await client.end();
      }
    },
    drop: async () => {
      const client = new pg.Client({connectionString: ADMIN_URL});
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

async function runOurs(scratch: Scratch, dialect: Dialect, step: ChainStep, direction: Direction): Promise<SchemaSnapshot> {
  const knex = scratch.knex();
  try {
    await applyStep(knex, dialect, step, direction);
  } finally {
    await knex.destroy();
  }
  return scratch.snapshot();
}

async function judge(dialect: Dialect, step: ChainStep, direction: Direction): Promise<string[]> {
  const [start, end] = direction === 'up' ? [step.downRevision, step.revision] : [step.revision, step.downRevision];
  const ours = await scratchAt(dialect, start);
  const theirs = await scratchAt(dialect, start);
  try {
    const actual = await runOurs(ours, dialect, step, direction);
    if (end) prefectAlembic([direction === 'up' ? 'upgrade' : 'downgrade', theirs.target, end]);
    const expected = end ? await theirs.snapshot() : new Map();
    return diffSnapshots(expected, actual);
  } finally {
    if (!process.argv.includes('--keep')) {
      await ours.drop();
      await theirs.drop();
    } else process.stderr.write(`kept: ours ${ours.target}, Prefect's ${theirs.target}\n`);
  }
}

const [dialect, revision] = process.argv.slice(2) as [Dialect, string];
const step = (await loadChain(dialect, {allowGaps: true})).find((s) => s.revision === revision);
if (!step) throw new Error(`no file in migrations/ has ${dialect} revision ${revision}`);
let failed = false;
for (const direction of ['up', 'down'] as Direction[]) {
  const differences = await judge(dialect, step, direction);
  failed ||= differences.length > 0;
  process.stdout.write(`${dialect} ${revision} ${direction}: ${differences.length === 0 ? 'same as Prefect' : `${differences.length} difference(s)`}\n`);
  for (const line of differences) process.stdout.write(`  ${line}\n`);
}
process.exitCode = failed ? 1 : 0;

