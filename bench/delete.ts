/**
 * Bulk delete benchmark (issues 6 and 14): `prefectdb flow-run delete --all --limit N` against a
 * floor of bare SQL making the same deletions, measured in the same run on the same database:
 * the CLI deletes the first N flow runs in id order, the floor the next N, in batches of 500
 * (BEGIN IMMEDIATE on SQLite), deleting cache rows, artifacts, logs and then the runs, whose
 * foreign keys cascade to states, task runs and their states, exactly as the CLI does.
 *
 *   node --import tsx bench/delete.ts
 *
 * Settings: BENCH_DELETE_RUNS (100000) runs per side on SQLite, BENCH_PG_DELETE_RUNS (100000) on
 * PostgreSQL, 0 skips a dialect; the database: see bench/bulk-target.ts.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

import {type BulkTarget, envNumber, onEachDialect} from './bulk-target.js';
import {timedCli, type TimedRun} from './cli.js';
import {count, printTable, ratio} from './measure.js';

const BATCH = 500;
// The lock budgets deletes size their batches for (sharingTheLock in src/services/run-deletion.ts, runInBatches' default).
const TARGET_MS = {sqlite: 400, postgres: 500};

interface Measured {
  ms: number;
  cpuMs?: number;
  longestLockMs: number;
}

const CASCADE = (ids: string) => [
  `delete from task_run_state_cache where task_run_state_id in (select s.id from task_run_state s join task_run t on t.id = s.task_run_id where t.flow_run_id in (${ids}))`,
  `delete from artifact where flow_run_id in (${ids})`,
  `delete from log where flow_run_id in (${ids})`,
  `delete from flow_run where id in (${ids})`,
];

function sqliteFloor(file: string, runs: number): Measured {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 60000');
  db.pragma('synchronous = NORMAL');
  const started = performance.now();
  const cpu = process.cpuUsage();
  let longest = 0;
  for (let done = 0; done < runs; ) {
    const batchStarted = performance.now();
    db.exec('BEGIN IMMEDIATE');
    const ids = db.prepare('select id from flow_run order by id limit ?').pluck().all(Math.min(BATCH, runs - done)) as string[];
    for (const sql of CASCADE(ids.map(() => '?').join(','))) db.prepare(sql).run(...ids);
    db.exec('COMMIT');
    longest = Math.max(longest, performance.now() - batchStarted);
    done += ids.length;
    if (ids.length === 0) break;
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  db.close();
  return {ms, cpuMs: (used.user + used.system) / 1000, longestLockMs: longest};
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
    for (const sql of CASCADE('select unnest($1::uuid[])')) await client.query(sql, [ids]);
    await client.query('COMMIT');
    longest = Math.max(longest, performance.now() - batchStarted);
    done += ids.length;
    if (ids.length === 0) break;
  }
  const ms = performance.now() - started;
  await client.end();
  return {ms, longestLockMs: longest};
}

function rows(target: BulkTarget, sqlite: boolean, cli: TimedRun, floor: Measured, runs: number): string[][] {
  const rate = (ms: number) => runs / (ms / 1000);
  // On PostgreSQL most of the work is the server's: client CPU says little, so it is left out.
  const cpu = (ms?: number) => (sqlite && ms !== undefined ? `${(ms / 1000).toFixed(1)} s` : '');
  return [
    [`prefectdb flow-run delete --all --limit ${count(runs)}`, `${(cli.ms / 1000).toFixed(1)} s`, count(rate(cli.ms)), ratio(rate(floor.ms), rate(cli.ms)), cpu(cli.cpuMs), sqlite ? ratio(cli.cpuMs, floor.cpuMs ?? 0) : '', `${cli.longestLockMs ?? '?'} ms (${TARGET_MS[sqlite ? 'sqlite' : 'postgres']})`, `${cli.peakRssMb.toFixed(0)} MB`],
    [`floor, bare driver, batches of ${BATCH}`, `${(floor.ms / 1000).toFixed(1)} s`, count(rate(floor.ms)), '1.00×', cpu(floor.cpuMs), sqlite ? '1.00×' : '', `${floor.longestLockMs.toFixed(0)} ms`, ''],
  ];
}

const HEADER = ['', 'wall', 'runs/s', 'slower by', 'CPU', 'CPU ratio', 'longest lock (target)', 'peak RSS'];
const RUNS = {sqlite: envNumber('BENCH_DELETE_RUNS', 100_000), postgres: envNumber('BENCH_PG_DELETE_RUNS', 100_000)};

await onEachDialect('delete', RUNS, async (target, runs) => {
  const sqlite = !target.url.startsWith('postgres');
  process.stderr.write(`${target.label}: prefectdb deletes ${count(runs)} runs, then the floor the next ${count(runs)} …\n`);
  const cli = await timedCli(['flow-run', 'delete', '--all', '--limit', String(runs), '--yes', '-o', 'table', '--db', target.url]);
  const floor = sqlite ? sqliteFloor(target.url, runs) : await postgresFloor(target.url, runs);
  printTable(`Bulk delete, ${target.label}; slower by = floor rate / prefectdb rate, target ≤ 2×`, HEADER, rows(target, sqlite, cli, floor, runs));
});
