/**
 * Bulk set-state benchmark (issue 6): `prefectdb flow-run set-state --all --limit N
 * --state-type CANCELLED --force --yes` on N runs, against a floor of bare-driver SQL making
 * the same row changes (bench/state-change-floor.ts) on another N runs of the same database,
 * in the same run. Prints runs/s, the ratio to the floor and the command's longest lock hold.
 *
 *   node --import tsx bench/state-change.ts
 *
 * Settings (environment):
 *   BENCH_STATE_RUNS (100000)      runs changed by each side on SQLite; 0 skips SQLite
 *   BENCH_SQLITE_SOURCE            a seeded SQLite file to copy (default /work/bench-data/seed-1m.db;
 *                                  without it a file of 2 × BENCH_STATE_RUNS runs is seeded)
 *   BENCH_PG_STATE_RUNS (100000)   runs per side on PostgreSQL (2 × seeded); 0 skips PostgreSQL
 *   PREFECTDB_TEST_POSTGRES_URL    admin URL; a scratch database is created and dropped
 */
import {copyFileSync, existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';

import {runCliOrFail} from './cli.js';
import {count, printTable, ratio} from './measure.js';
import {postgresSetStateFloor, sqliteSetStateFloor} from './state-change-floor.js';

const env = (name: string, fallback: number) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const RUNS = env('BENCH_STATE_RUNS', 100_000);
const PG_RUNS = env('BENCH_PG_STATE_RUNS', 100_000);
const SQLITE_SOURCE = process.env.BENCH_SQLITE_SOURCE ?? '/work/bench-data/seed-1m.db';
const POSTGRES_ADMIN_URL = process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SEED_ARGS = ['--seed', '42', '--task-runs-per-flow-run', '1', '--logs-per-run', '0'];

interface Measured {
  cliMs: number;
  floorMs: number;
  lockHoldMs: string;
}

/** The CLI changes the first `runs` runs in id order; the floor the next `runs`. */
async function measure(url: string, ids: string[], runs: number, floor: (ids: string[]) => Promise<number> | number): Promise<Measured> {
  const cli = await runCliOrFail(['flow-run', 'set-state', '--all', '--limit', String(runs), '--state-type', 'CANCELLED', '--force', '--yes', '-o', 'table', '--db', url]);
  const lockHoldMs = /longest lock hold (\d+) ms/.exec(cli.stderr)?.[1] ?? '?';
  const floorMs = await floor(ids.slice(runs, 2 * runs));
  return {cliMs: cli.ms, floorMs, lockHoldMs};
}

function rows(label: string, runs: number, m: Measured): string[][] {
  const cliRate = runs / (m.cliMs / 1000);
  const floorRate = runs / (m.floorMs / 1000);
  return [
    [`${label}: prefectdb flow-run set-state (engine, batches, CLI start-up)`, count(runs), `${(m.cliMs / 1000).toFixed(1)} s`, count(cliRate), ratio(floorRate, cliRate), `${m.lockHoldMs} ms`],
    [`${label}: floor, bare driver, same row changes`, count(runs), `${(m.floorMs / 1000).toFixed(1)} s`, count(floorRate), '1.00×', ''],
  ];
}

async function benchSqlite(dir: string): Promise<string[][]> {
  const file = path.join(dir, 'state-change.db');
  if (existsSync(SQLITE_SOURCE)) {
    process.stderr.write(`SQLite: copying ${SQLITE_SOURCE} …\n`);
    copyFileSync(SQLITE_SOURCE, file);
  } else {
    process.stderr.write(`SQLite: seeding ${count(2 * RUNS)} flow runs …\n`);
    await runCliOrFail(['db', 'seed', '--db', file, '--flow-runs', String(2 * RUNS), ...SEED_ARGS]);
  }
  const db = new Database(file, {readonly: true});
  const total = db.prepare('select count(*) from flow_run').pluck().get() as number;
  const ids = db.prepare('select id from flow_run order by id limit ?').pluck().all(2 * RUNS) as string[];
  db.close();
  process.stderr.write(`SQLite: ${count(total)} flow runs; changing ${count(RUNS)} with prefectdb, ${count(RUNS)} with the floor …\n`);
  return rows(`SQLite (${count(total)} runs)`, RUNS, await measure(file, ids, RUNS, (floorIds) => sqliteSetStateFloor(file, floorIds)));
}

async function benchPostgres(): Promise<string[][]> {
  const name = `prefectdb_bench_state_${process.pid}`;
  const admin = new pg.Client({connectionString: POSTGRES_ADMIN_URL});
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    process.stderr.write(`PostgreSQL: seeding ${count(2 * PG_RUNS)} flow runs …\n`);
    await runCliOrFail(['db', 'seed', '--db', url.toString(), '--flow-runs', String(2 * PG_RUNS), ...SEED_ARGS]);
    const client = new pg.Client({connectionString: url.toString()});
    await client.connect();
    const ids = (await client.query('select id::text from flow_run order by id limit $1', [2 * PG_RUNS])).rows.map((row) => row.id as string);
    await client.end();
    return rows(`PostgreSQL (${count(2 * PG_RUNS)} runs)`, PG_RUNS, await measure(url.toString(), ids, PG_RUNS, (floorIds) => postgresSetStateFloor(url.toString(), floorIds)));
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

const TITLE = 'Bulk set-state (forced Cancelled; slower by = floor rate / prefectdb rate; target ≤ 2×)';
const HEADER = ['', 'runs', 'time', 'runs/s', 'slower by', 'longest lock hold'];
const dir = mkdtempSync(path.join(tmpdir(), 'prefectdb-bench-state-'));
try {
  if (RUNS > 0) printTable(TITLE, HEADER, await benchSqlite(dir));
  rmSync(dir, {recursive: true, force: true});
  if (PG_RUNS > 0) printTable(TITLE, HEADER, await benchPostgres());
} finally {
  rmSync(dir, {recursive: true, force: true});
}
