/**
 * prefectdb's benchmark (design §10): seeds its own data with `prefectdb db seed`, then
 * prints each figure beside a floor measured in the same run — raw multi-row INSERTs for
 * seeding, the same SQL through the bare driver for queries — and CLI start-up times.
 *
 *   npm run bench                                   # 1,000,000 flow runs on SQLite, 100,000 on PostgreSQL
 *   BENCH_FLOW_RUNS=100000 BENCH_PG_FLOW_RUNS=0 npm run bench
 *
 * Settings (environment): BENCH_FLOW_RUNS, BENCH_PG_FLOW_RUNS (0 skips PostgreSQL),
 * BENCH_TASK_RUNS_PER_FLOW_RUN (1), BENCH_LOGS_PER_RUN (1), BENCH_QUERY_ITERATIONS (200),
 * PREFECTDB_TEST_POSTGRES_URL (admin URL; a scratch database is created and dropped).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import pg from 'pg';

import {CLI, runCliOrFail, spawnNode} from './cli.js';
import {postgresInsertFloor, sqliteInsertFloor, type FloorResult} from './insert-floor.js';
import {count, ms, printTable, ratio, timeRepeated} from './measure.js';
import {benchQueries, queryPlans} from './query-bench.js';

const env = (name: string, fallback: number) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const FLOW_RUNS = env('BENCH_FLOW_RUNS', 1_000_000);
const PG_FLOW_RUNS = env('BENCH_PG_FLOW_RUNS', 100_000);
const SEED_ARGS = [
  '--seed', '42',
  '--task-runs-per-flow-run', String(env('BENCH_TASK_RUNS_PER_FLOW_RUN', 1)),
  '--logs-per-run', String(env('BENCH_LOGS_PER_RUN', 1)),
];
const QUERY_ITERATIONS = env('BENCH_QUERY_ITERATIONS', 200);
const POSTGRES_ADMIN_URL = process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface SeedSummary {
  rows: number;
  elapsed_seconds: number;
  rows_per_second: number;
}

async function seed(url: string, flowRuns: number): Promise<SeedSummary> {
  const run = await runCliOrFail(['db', 'seed', '--db', url, '--flow-runs', String(flowRuns), ...SEED_ARGS, '--json']);
  return JSON.parse(run.stdout) as SeedSummary;
}

function seedingRows(label: string, summary: SeedSummary, floor: FloorResult): string[][] {
  const floorRate = floor.rows / (floor.insertMs / 1000);
  return [
    [`${label}: prefectdb db seed (generate + encode + insert)`, count(summary.rows), `${summary.elapsed_seconds.toFixed(1)} s`, count(summary.rows_per_second), ratio(floorRate, summary.rows_per_second)],
    [`${label}: floor, bare driver multi-row INSERT`, count(floor.rows), `${(floor.insertMs / 1000).toFixed(1)} s`, count(floorRate), '1.00×'],
  ];
}

async function benchDialect(label: string, url: string, floorUrl: string, flowRuns: number): Promise<void> {
  process.stderr.write(`${label}: seeding ${count(flowRuns)} flow runs …\n`);
  const summary = await seed(url, flowRuns);
  process.stderr.write(`${label}: floor copy …\n`);
  await runCliOrFail(['db', 'init', '--db', floorUrl]);
  const floor = label === 'SQLite' ? sqliteInsertFloor(url, floorUrl) : await postgresInsertFloor(url, floorUrl);
  printTable(`Seeding, ${label} (${count(flowRuns)} flow runs; ratio = floor rate / seed rate)`, ['', 'rows', 'time', 'rows/s', 'slower by'], seedingRows(label, summary, floor));

  process.stderr.write(`${label}: queries …\n`);
  const figures = await benchQueries(url, QUERY_ITERATIONS);
  printTable(
    `Queries, ${label} (${QUERY_ITERATIONS} iterations each; median per call)`,
    ['', 'CLI path (knex + codec)', 'bare driver', 'ratio'],
    figures.map((f) => [f.name, ms(f.cli.medianMs), ms(f.floor.medianMs), ratio(f.cli.medianMs, f.floor.medianMs)]),
  );
  const plans = await queryPlans(url);
  process.stdout.write(`\nQuery plans, ${label} (every statement each operation sends)\n`);
  for (const {name, sql, plan} of plans) process.stdout.write(`  ${name}: ${sql}\n      ${plan}\n`);
}

async function benchStartup(url: string): Promise<void> {
  const version = await timeRepeated(10, () => runCliOrFail(['--version']));
  const status = await timeRepeated(10, () => runCliOrFail(['db', 'status', '--db', url]));
  const bareNode = await timeRepeated(10, () => spawnNode());
  printTable(`Start-up (${CLI.label}; median of 10 spawns)`, ['', 'time'], [
    ['prefectdb --version', ms(version.medianMs)],
    [`prefectdb db status (the ${count(FLOW_RUNS)}-run SQLite file)`, ms(status.medianMs)],
    ['floor: node -e "" (an empty Node process)', ms(bareNode.medianMs)],
  ]);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({connectionString: POSTGRES_ADMIN_URL});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

const dir = mkdtempSync(path.join(tmpdir(), 'prefectdb-bench-'));
try {
  process.stdout.write(`prefectdb benchmark — node ${process.version}, ${CLI.label}\nseed arguments: ${SEED_ARGS.join(' ')}\n`);
  const sqliteFile = path.join(dir, 'seeded.db');
  await benchDialect('SQLite', sqliteFile, path.join(dir, 'floor.db'), FLOW_RUNS);
  await benchStartup(sqliteFile);
  if (PG_FLOW_RUNS > 0) {
    const names = [`prefectdb_bench_${process.pid}`, `prefectdb_bench_floor_${process.pid}`];
    for (const name of names) await adminQuery(`create database "${name}"`);
    try {
      await benchDialect('PostgreSQL', databaseUrl(names[0]), databaseUrl(names[1]), PG_FLOW_RUNS);
    } finally {
      for (const name of names) await adminQuery(`drop database if exists "${name}" with (force)`);
    }
  }
} finally {
  rmSync(dir, {recursive: true, force: true});
}
