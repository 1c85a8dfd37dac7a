/**
 * Backfill benchmark (issue 7): a 30-day backfill of a 5-minute schedule — 8,640 runs —
 * through prefectdb's own service (dates, rows, codecs, ON CONFLICT inserts in batched
 * transactions), against a floor measured in the same run: the very rows it wrote, inserted
 * into an identical fresh database with bare multi-row INSERTs through the driver, in the
 * same 500-row transactions.
 *
 *   npm run bench:backfill                  # SQLite and PostgreSQL
 *   BENCH_BACKFILL_PG=0 npm run bench:backfill
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';

import {openDatabase} from '../src/db/connection.js';
import {readSchemaInfo} from '../src/db/schema-info.js';
import {resolveDatabaseTarget} from '../src/db/url.js';
import {repositoryContext} from '../src/repositories/common.js';
import {findDeployment} from '../src/repositories/deployments.js';
import {scheduleRuns} from '../src/services/schedule-runs.js';
import {runCliOrFail} from './cli.js';
import {count, printTable, ratio} from './measure.js';

const POSTGRES_ADMIN_URL = process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WITH_PG = process.env.BENCH_BACKFILL_PG !== '0';
const START = Date.parse('2026-01-01T00:00:00Z');
const END = Date.parse('2026-01-30T23:55:00Z');
const EXPECTED_RUNS = 8640;
const BATCH = 500;

const FLOW_ID = '0b000000-0000-4000-8000-000000000001';
const DEPLOYMENT_ID = '0b000000-0000-4000-8000-000000000002';

/** A Prefect schema with one flow and one deployment with a 5-minute schedule. */
async function prepare(url: string, exec: (sql: string) => Promise<void>): Promise<void> {
  await runCliOrFail(['db', 'init', '--db', url]);
  await exec(`insert into flow (id, name, tags, labels) values ('${FLOW_ID}', 'bench-flow', '[]', '{}')`);
  await exec(`insert into deployment (id, name, flow_id, tags, parameters, infra_overrides, labels) values ('${DEPLOYMENT_ID}', 'every-5-minutes', '${FLOW_ID}', '["bench"]', '{"n": 1}', '{}', '{}')`);
  await runCliOrFail(['deployment', 'schedule', 'add', DEPLOYMENT_ID, '--interval', '300', '--anchor-date', '2026-01-01T00:00:00Z', '--slug', 'five', '--db', url]);
}

/** prefectdb's backfill, timed in-process (no CLI start-up). */
async function backfill(url: string): Promise<{runs: number; ms: number; batches: number; longestMs: number}> {
  const db = await openDatabase(resolveDatabaseTarget(url), {write: true});
  try {
    const ctx = repositoryContext(db, await readSchemaInfo(db.knex, db.dialect));
    const deployment = await findDeployment(ctx, DEPLOYMENT_ID, Date.now());
    const started = performance.now();
    const {lines, batches} = await scheduleRuns({ctx, deployments: [deployment], nowMillis: Date.now(), window: {startMillis: START, endMillis: END}});
    const ms = performance.now() - started;
    return {runs: lines.reduce((sum, l) => sum + l.created, 0), ms, batches: batches.batches, longestMs: batches.longestBatchMs};
  } finally {
    await db.knex.destroy();
  }
}

type Raw = Record<string, unknown>;

function sqliteFloor(source: string, target: string): number {
  const from = new Database(source, {readonly: true});
  const runs = from.prepare('select * from flow_run order by expected_start_time').all() as Raw[];
  const states = from.prepare('select * from flow_run_state').all() as Raw[];
  from.close();
  const db = new Database(target);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const insert = (table: string, rows: Raw[]) => {
    const columns = Object.keys(rows[0]);
    const sql = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${rows.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')}`;
    db.prepare(sql).run(rows.flatMap((r) => columns.map((c) => r[c])));
  };
  const stateOf = new Map(states.map((s) => [s.flow_run_id, s]));
  const started = performance.now();
  for (let i = 0; i < runs.length; i += BATCH) {
    const batch = runs.slice(i, i + BATCH);
    db.exec('begin immediate');
    db.pragma('defer_foreign_keys = ON');
    insert('flow_run', batch);
    insert('flow_run_state', batch.map((r) => stateOf.get(r.id)!));
    db.exec('commit');
  }
  const ms = performance.now() - started;
  db.close();
  return ms;
}

async function postgresFloor(source: string, target: string): Promise<number> {
  const from = new pg.Client({connectionString: source, types: {getTypeParser: () => (value: string) => value} as unknown as pg.CustomTypesConfig});
  await from.connect();
  const runs = (await from.query('select * from flow_run order by expected_start_time')).rows as Raw[];
  const states = (await from.query('select * from flow_run_state')).rows as Raw[];
  await from.end();
  const db = new pg.Client({connectionString: target});
  await db.connect();
  const insert = async (table: string, rows: Raw[]) => {
    const columns = Object.keys(rows[0]);
    let n = 0;
    const sql = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${rows.map(() => `(${columns.map(() => `$${++n}`).join(', ')})`).join(', ')}`;
    await db.query(sql, rows.flatMap((r) => columns.map((c) => r[c])));
  };
  const stateOf = new Map(states.map((s) => [s.flow_run_id, s]));
  const started = performance.now();
  // The circular foreign key is not deferrable on PostgreSQL: runs first without state_id.
  for (let i = 0; i < runs.length; i += BATCH) {
    const batch = runs.slice(i, i + BATCH);
    await db.query('begin');
    await insert('flow_run', batch.map((r) => ({...r, state_id: null})));
    await insert('flow_run_state', batch.map((r) => stateOf.get(r.id)!));
    await db.query('commit');
  }
  const ms = performance.now() - started;
  await db.end();
  return ms;
}

function rows(label: string, measured: {runs: number; ms: number; batches: number; longestMs: number}, floorMs: number): string[][] {
  if (measured.runs !== EXPECTED_RUNS) throw new Error(`${label}: expected ${EXPECTED_RUNS} runs, created ${measured.runs}`);
  const rate = measured.runs / (measured.ms / 1000);
  const floorRate = measured.runs / (floorMs / 1000);
  return [
    [`${label}: deployment schedule-runs --start --end (${measured.batches} transactions, longest ${Math.round(measured.longestMs)} ms)`, count(measured.runs), `${(measured.ms / 1000).toFixed(2)} s`, count(rate), ratio(floorRate, rate)],
    [`${label}: floor, bare multi-row INSERT of the same rows`, count(measured.runs), `${(floorMs / 1000).toFixed(2)} s`, count(floorRate), '1.00×'],
  ];
}

async function main(): Promise<void> {
  const table: string[][] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'prefectdb-bench-backfill-'));
  try {
    const files = ['measured.db', 'floor.db'].map((name) => path.join(dir, name));
    for (const file of files) {
      await prepare(file, async (sql) => {
        const db = new Database(file);
        db.exec(sql);
        db.close();
      });
    }
    const measured = await backfill(files[0]);
    table.push(...rows('SQLite', measured, sqliteFloor(files[0], files[1])));
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
  if (WITH_PG) {
    const admin = new pg.Client({connectionString: POSTGRES_ADMIN_URL});
    await admin.connect();
    const names = ['measured', 'floor'].map((n) => `prefectdb_bench_backfill_${n}_${process.pid}`);
    const urlOf = (name: string) => Object.assign(new URL(POSTGRES_ADMIN_URL), {pathname: `/${name}`}).toString();
    try {
      for (const name of names) {
        await admin.query(`create database "${name}"`);
        await prepare(urlOf(name), async (sql) => {
          const client = new pg.Client({connectionString: urlOf(name)});
          await client.connect();
          await client.query(sql);
          await client.end();
        });
      }
      const measured = await backfill(urlOf(names[0]));
      table.push(...rows('PostgreSQL', measured, await postgresFloor(urlOf(names[0]), urlOf(names[1]))));
    } finally {
      for (const name of names) await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  }
  printTable(`Backfill: 30 days of a 5-minute schedule (${count(EXPECTED_RUNS)} runs; ratio = floor rate / prefectdb rate, target ≤ 2×)`, ['', 'runs', 'time', 'runs/s', 'slower by'], table);
}

await main();
