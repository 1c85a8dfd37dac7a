/**
 * Bulk delete benchmark (issue 6): `prefectdb flow-run delete` of N runs against a floor of
 * bare SQL making the same deletions, measured in the same run on the same database:
 * the CLI deletes the first N flow runs in id order, the floor the next N, in batches of 500
 * (BEGIN IMMEDIATE on SQLite), deleting cache rows, artifacts, logs and then the runs, whose
 * foreign keys cascade to states, task runs and their states, exactly as the CLI does.
 *
 *   node --import tsx bench/delete.ts
 *
 * Settings: BENCH_DELETE_RUNS (100000); BENCH_DELETE_SQLITE_SOURCE (a seeded SQLite file to copy,
 * default /work/bench-data/seed-1m.db; without one, BENCH_DELETE_SEED_RUNS runs are seeded);
 * BENCH_DELETE_PG_RUNS (runs seeded on PostgreSQL, default 2 × N; 0 skips PostgreSQL);
 * BENCH_DELETE_SQLITE=0 skips SQLite; BENCH_DIR (scratch directory, default the system temp dir); PREFECTDB_TEST_POSTGRES_URL.
 */
import {spawn} from 'node:child_process';
import {copyFileSync, existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';

import {CLI, runCliOrFail} from './cli.js';
import {count, printTable, ratio} from './measure.js';

const env = (name: string, fallback: number) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const RUNS = env('BENCH_DELETE_RUNS', 100_000);
const PG_RUNS = env('BENCH_DELETE_PG_RUNS', 2 * RUNS);
const SOURCE = process.env.BENCH_DELETE_SQLITE_SOURCE ?? '/work/bench-data/seed-1m.db';
const POSTGRES_ADMIN_URL = process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH = 500;

interface Measured {
  ms: number;
  peakRssMb: number;
  longestLockMs?: number;
}

/** The CLI as a child process under /usr/bin/time, for wall time and peak RSS. */
export function timedCli(args: string[]): Promise<Measured & {stderr: string}> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', process.execPath, ...CLI.args, ...args], {env: {...process.env, NO_COLOR: '1'}});
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`prefectdb ${args.join(' ')} failed (${code}): ${stderr.slice(-500)}`));
      const peak = Number(/PEAK_RSS_KB=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024;
      const hold = /longest lock hold (\d+) ms/.exec(stderr)?.[1];
      resolve({ms, peakRssMb: peak, longestLockMs: hold === undefined ? undefined : Number(hold), stderr});
    });
  });
}

function sqliteFloor(file: string, runs: number): Measured {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 60000');
  db.pragma('synchronous = NORMAL');
  const started = performance.now();
  let longest = 0;
  for (let done = 0; done < runs; ) {
    const batchStarted = performance.now();
    db.exec('BEGIN IMMEDIATE');
    const ids = (db.prepare('select id from flow_run order by id limit ?').all(Math.min(BATCH, runs - done)) as Array<{id: string}>).map((r) => r.id);
    const marks = ids.map(() => '?').join(',');
    db.prepare(`delete from task_run_state_cache where task_run_state_id in (select s.id from task_run_state s join task_run t on t.id = s.task_run_id where t.flow_run_id in (${marks}))`).run(...ids);
    db.prepare(`delete from artifact where flow_run_id in (${marks})`).run(...ids);
    db.prepare(`delete from log where flow_run_id in (${marks})`).run(...ids);
    db.prepare(`delete from flow_run where id in (${marks})`).run(...ids);
    db.exec('COMMIT');
    longest = Math.max(longest, performance.now() - batchStarted);
    done += ids.length;
    if (ids.length === 0) break;
  }
  const ms = performance.now() - started;
  db.close();
  return {ms, peakRssMb: process.memoryUsage().rss / 2 ** 20, longestLockMs: longest};
}

async function postgresFloor(url: string, runs: number): Promise<Measured> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  const started = performance.now();
  let longest = 0;
  for (let done = 0; done < runs; ) {
    const batchStarted = performance.now();
    await client.query('BEGIN');
    const ids = (await client.query('select id from flow_run order by id limit $1', [Math.min(BATCH, runs - done)])).rows.map((r) => r.id);
    await client.query('delete from task_run_state_cache where task_run_state_id in (select s.id from task_run_state s join task_run t on t.id = s.task_run_id where t.flow_run_id = any($1::uuid[]))', [ids]);
    await client.query('delete from artifact where flow_run_id = any($1::uuid[])', [ids]);
    await client.query('delete from log where flow_run_id = any($1::uuid[])', [ids]);
    await client.query('delete from flow_run where id = any($1::uuid[])', [ids]);
    await client.query('COMMIT');
    longest = Math.max(longest, performance.now() - batchStarted);
    done += ids.length;
    if (ids.length === 0) break;
  }
  const ms = performance.now() - started;
  await client.end();
  return {ms, peakRssMb: 0, longestLockMs: longest};
}

function rows(label: string, cli: Measured, floor: Measured, runs: number): string[][] {
  const rate = (m: Measured) => runs / (m.ms / 1000);
  return [
    [`${label}: prefectdb flow-run delete --all --limit ${count(runs)}`, `${(cli.ms / 1000).toFixed(1)} s`, count(rate(cli)), `${cli.longestLockMs ?? '?'} ms`, `${cli.peakRssMb.toFixed(0)} MB`, ratio(rate(floor), rate(cli))],
    [`${label}: floor, bare driver, batches of ${BATCH}`, `${(floor.ms / 1000).toFixed(1)} s`, count(rate(floor)), `${floor.longestLockMs?.toFixed(0)} ms`, '', '1.00×'],
  ];
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), 'prefectdb-bench-delete-'));
  const header = ['', 'time', 'runs/s', 'longest lock', 'peak RSS', 'slower by'];
  try {
    const file = path.join(scratch, 'delete.db');
    if (process.env.BENCH_DELETE_SQLITE === '0') {
      process.stderr.write('SQLite: skipped (BENCH_DELETE_SQLITE=0)\n');
    } else if (existsSync(SOURCE)) {
      process.stderr.write(`SQLite: copying ${SOURCE} …\n`);
      copyFileSync(SOURCE, file);
    } else {
      process.stderr.write(`SQLite: seeding ${count(env('BENCH_DELETE_SEED_RUNS', 2 * RUNS))} runs …\n`);
      await runCliOrFail(['db', 'seed', '--db', file, '--flow-runs', String(env('BENCH_DELETE_SEED_RUNS', 2 * RUNS)), '--seed', '42', '--task-runs-per-flow-run', '1', '--logs-per-run', '1']);
    }
    if (process.env.BENCH_DELETE_SQLITE !== '0') {
      process.stderr.write(`SQLite: prefectdb deletes ${count(RUNS)} runs …\n`);
      const cli = await timedCli(['flow-run', 'delete', '--all', '--limit', String(RUNS), '--yes', '-o', 'table', '--db', file]);
      process.stderr.write('SQLite: floor …\n');
      const floor = sqliteFloor(file, RUNS);
      printTable(`Bulk delete, SQLite (${path.basename(SOURCE)} copy; ratio = floor rate / prefectdb rate)`, header, rows('SQLite', cli, floor, RUNS));
      rmSync(file, {force: true});
      rmSync(`${file}-wal`, {force: true});
    }

    if (PG_RUNS > 0) {
      const name = `prefectdb_bench_delete_${process.pid}`;
      const admin = new pg.Client({connectionString: POSTGRES_ADMIN_URL});
      await admin.connect();
      await admin.query(`create database "${name}"`);
      const url = new URL(POSTGRES_ADMIN_URL);
      url.pathname = `/${name}`;
      try {
        process.stderr.write(`PostgreSQL: seeding ${count(PG_RUNS)} runs …\n`);
        await runCliOrFail(['db', 'seed', '--db', url.toString(), '--flow-runs', String(PG_RUNS), '--seed', '42', '--task-runs-per-flow-run', '1', '--logs-per-run', '1']);
        const runs = Math.floor(PG_RUNS / 2);
        process.stderr.write(`PostgreSQL: prefectdb deletes ${count(runs)} runs …\n`);
        const pgCli = await timedCli(['flow-run', 'delete', '--all', '--limit', String(runs), '--yes', '-o', 'table', '--db', url.toString()]);
        process.stderr.write('PostgreSQL: floor …\n');
        const pgFloor = await postgresFloor(url.toString(), runs);
        printTable(`Bulk delete, PostgreSQL (${count(PG_RUNS)} seeded runs; ratio = floor rate / prefectdb rate)`, header, rows('PostgreSQL', pgCli, pgFloor, runs));
      } finally {
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      }
    }
  } finally {
    rmSync(scratch, {recursive: true, force: true});
  }
}

// Run as a script, not when another bench imports timedCli.
if (process.argv[1]?.endsWith('delete.ts')) await main();
