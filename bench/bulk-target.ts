import {closeSync, copyFileSync, existsSync, fsyncSync, mkdtempSync, openSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';

import {runCliOrFail} from './cli.js';
import {count} from './measure.js';

/**
 * The database a bulk-write bench (set-state, cancel, delete) works on. Each bench changes the
 * first N runs in id order with prefectdb and the next N with its floor, so one big database
 * can serve them one after another: the runs each bench takes are as alike as the runs of the
 * bench before it left them, on both sides.
 *
 * SQLite, first match wins:
 *   BENCH_SQLITE_FILE    a writable copy used in place and kept (share one copy between benches)
 *   BENCH_SQLITE_SOURCE  a seeded file copied into a scratch directory (BENCH_DIR), removed after
 *                        (default /work/bench-data/seed-1m.db)
 *   otherwise            2 × N runs seeded into the scratch directory
 * PostgreSQL, first match wins:
 *   BENCH_PG_URL         a database used in place and kept
 *   BENCH_PG_SOURCE_DB   a seeded database copied with CREATE DATABASE … TEMPLATE, dropped after
 *   otherwise            2 × N runs seeded into a scratch database, dropped after
 *   PREFECTDB_TEST_POSTGRES_URL  the admin URL (default postgres://postgres@127.0.0.1:5432/postgres)
 */

export interface BulkTarget {
  url: string;
  /** "SQLite (1,000,000 runs)" */
  label: string;
  /** The first `n` flow run ids in id order, read before anything changes. */
  firstIds(n: number): Promise<string[]>;
  close(): Promise<void>;
}

const SEED_ARGS = ['--seed', '42', '--task-runs-per-flow-run', '1', '--logs-per-run', '1'];
const POSTGRES_ADMIN_URL = process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function envNumber(name: string, fallback: number): number {
  return process.env[name] === undefined ? fallback : Number(process.env[name]);
}

export async function sqliteTarget(bench: string, seedRuns: number): Promise<BulkTarget> {
  const inPlace = process.env.BENCH_SQLITE_FILE;
  const source = process.env.BENCH_SQLITE_SOURCE ?? '/work/bench-data/seed-1m.db';
  let scratch: string | undefined;
  let file: string;
  if (inPlace) {
    file = inPlace;
  } else {
    scratch = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), `prefectdb-bench-${bench}-`));
    file = path.join(scratch, `${bench}.db`);
    if (existsSync(source)) {
      process.stderr.write(`SQLite: copying ${source} …\n`);
      copyFileSync(source, file);
    } else {
      process.stderr.write(`SQLite: seeding ${count(seedRuns)} flow runs …\n`);
      await runCliOrFail(['db', 'seed', '--db', file, '--flow-runs', String(seedRuns), ...SEED_ARGS]);
    }
  }
  settle(file);
  const db = new Database(file, {readonly: true});
  const total = db.prepare('select count(*) from flow_run').pluck().get() as number;
  db.close();
  return {
    url: file,
    label: `SQLite (${count(total)} runs)`,
    async firstIds(n) {
      const reader = new Database(file, {readonly: true});
      const ids = reader.prepare('select id from flow_run order by id limit ?').pluck().all(n) as string[];
      reader.close();
      return ids;
    },
    async close() {
      if (scratch) rmSync(scratch, {recursive: true, force: true});
    },
  };
}

/**
 * A fresh copy leaves gigabytes of dirty pages behind: the first fsync of the file (the CLI's
 * first checkpoint) would wait for all of them and show as a lock hold of seconds.
 */
function settle(file: string): void {
  const fd = openSync(file, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

export async function postgresTarget(bench: string, seedRuns: number): Promise<BulkTarget> {
  const inPlace = process.env.BENCH_PG_URL;
  const template = process.env.BENCH_PG_SOURCE_DB;
  let scratchName: string | undefined;
  let url: string;
  const admin = new pg.Client({connectionString: POSTGRES_ADMIN_URL});
  await admin.connect();
  if (inPlace) {
    url = inPlace;
  } else {
    scratchName = `prefectdb_bench_${bench}_${process.pid}`;
    const scratchUrl = new URL(POSTGRES_ADMIN_URL);
    scratchUrl.pathname = `/${scratchName}`;
    url = scratchUrl.toString();
    if (template) {
      process.stderr.write(`PostgreSQL: copying database ${template} …\n`);
      await createFromTemplate(admin, scratchName, template);
    } else {
      await admin.query(`create database "${scratchName}"`);
      process.stderr.write(`PostgreSQL: seeding ${count(seedRuns)} flow runs …\n`);
      await runCliOrFail(['db', 'seed', '--db', url, '--flow-runs', String(seedRuns), ...SEED_ARGS]);
    }
  }
  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({connectionString: url});
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const [{n: total}] = await query<{n: string}>('select count(*) as n from flow_run');
  return {
    url,
    label: `PostgreSQL (${count(Number(total))} runs)`,
    async firstIds(n) {
      return (await query<{id: string}>('select id::text as id from flow_run order by id limit $1', [n])).map((row) => row.id);
    },
    async close() {
      if (scratchName) await admin.query(`drop database if exists "${scratchName}" with (force)`);
      await admin.end();
    },
  };
}

/** CREATE DATABASE … TEMPLATE fails while anyone is connected to the template: retry for a while. */
async function createFromTemplate(admin: pg.Client, name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`create database "${name}" template "${template}"`);
      return;
    } catch (error) {
      if (attempt >= 60 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

/** Runs a bench on both dialects as the settings ask: a run count of 0 skips a dialect. */
export async function onEachDialect(bench: string, runs: {sqlite: number; postgres: number}, work: (target: BulkTarget, runs: number) => Promise<void>): Promise<void> {
  for (const [dialect, n] of [['sqlite', runs.sqlite], ['postgres', runs.postgres]] as const) {
    if (n <= 0) continue;
    const target = dialect === 'sqlite' ? await sqliteTarget(bench, 2 * n) : await postgresTarget(bench, 2 * n);
    try {
      await work(target, n);
    } finally {
      await target.close();
    }
  }
}
