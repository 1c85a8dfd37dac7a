/**
 * `db copy` SQLite → PostgreSQL, in rows/s, against a floor measured in the same run:
 * PostgreSQL `COPY … FROM STDIN` of the very same rows, from files prepared beforehand
 * (dumped from the copy's own result), into the full head schema with foreign-key
 * triggers off (session_replication_role = replica). Peak RSS of the copy process comes
 * from /usr/bin/time -v.
 *
 *   npm run bench:copy                                   # seeds 100,000 flow runs
 *   BENCH_COPY_FLOW_RUNS=20000 npm run bench:copy
 *   BENCH_COPY_SOURCE=/path/to/seeded.db npm run bench:copy   # an existing file, opened read-only
 */
import {spawn} from 'node:child_process';
import {createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {pipeline} from 'node:stream/promises';

import pg from 'pg';
import {from as copyFrom, to as copyTo} from 'pg-copy-streams';

import {CLI, runCliOrFail} from './cli.js';
import {count, printTable, ratio} from './measure.js';

const FLOW_RUNS = Number(process.env.BENCH_COPY_FLOW_RUNS ?? 100_000);
const SOURCE = process.env.BENCH_COPY_SOURCE;
const POSTGRES_ADMIN_URL = process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<R>(url: string, work: (client: pg.Client) => Promise<R>): Promise<R> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs the CLI under /usr/bin/time -v: wall time and the child's peak RSS. */
function timedCli(args: string[]): Promise<{ms: number; maxRssKb: number; stdout: string}> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-v', process.execPath, ...CLI.args, ...args], {env: {...process.env, NO_COLOR: '1'}});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`prefectdb ${args.join(' ')} failed (${code}): ${stderr.slice(-2000)}`));
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ms: performance.now() - started, maxRssKb: rss ? Number(rss[1]) : NaN, stdout});
    });
  });
}

/** Tables in the order the copy wrote them (parents first), with their row counts. */
async function tablesWithRows(url: string): Promise<Array<{table: string; rows: number}>> {
  return withClient(url, async (client) => {
    const {rows} = await client.query<{table_name: string}>(
      `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'prefectdb\\_%' and table_name <> 'alembic_version' order by table_name`,
    );
    const out: Array<{table: string; rows: number}> = [];
    for (const {table_name} of rows) {
      const n = Number((await client.query(`select count(*) from "${table_name}"`)).rows[0].count);
      if (n > 0) out.push({table: table_name, rows: n});
    }
    return out;
  });
}

async function dumpTables(url: string, tables: Array<{table: string}>, dir: string): Promise<void> {
  await withClient(url, async (client) => {
    for (const {table} of tables) await pipeline(client.query(copyTo(`copy "${table}" to stdout`)), createWriteStream(path.join(dir, `${table}.copy`)));
  });
}

/** The floor: COPY FROM STDIN of every prepared file, one transaction, foreign-key triggers off. */
async function copyFloor(url: string, tables: Array<{table: string}>, dir: string): Promise<number> {
  return withClient(url, async (client) => {
    const started = performance.now();
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    for (const {table} of tables) await pipeline(createReadStream(path.join(dir, `${table}.copy`)), client.query(copyFrom(`copy "${table}" from stdin`)));
    await client.query('commit');
    return performance.now() - started;
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'prefectdb-bench-copy-'));
const names = [`prefectdb_bench_copy_${process.pid}`, `prefectdb_bench_copy_floor_${process.pid}`];
try {
  process.stdout.write(`prefectdb db copy benchmark — node ${process.version}, ${CLI.label}\n`);
  let source = SOURCE;
  if (!source) {
    source = path.join(dir, 'seeded.db');
    process.stderr.write(`seeding ${count(FLOW_RUNS)} flow runs …\n`);
    await runCliOrFail(['db', 'seed', '--db', source, '--flow-runs', String(FLOW_RUNS), '--seed', '42', '--task-runs-per-flow-run', '1', '--logs-per-run', '1']);
  } else if (!existsSync(source)) {
    throw new Error(`BENCH_COPY_SOURCE ${source} does not exist`);
  }
  for (const name of names) await withClient(POSTGRES_ADMIN_URL, (c) => c.query(`create database "${name}"`));
  const [copyUrl, floorUrl] = names.map(databaseUrl);

  process.stderr.write('db copy SQLite → PostgreSQL …\n');
  const run = await timedCli(['db', 'copy', source, copyUrl, '--json']);
  const report = JSON.parse(run.stdout) as {tables: Record<string, {copied: number}>; verified: boolean};
  const rows = Object.values(report.tables).reduce((sum, t) => sum + t.copied, 0);

  process.stderr.write('floor: dumping the copied rows to files, then COPY FROM STDIN into the head schema …\n');
  const tables = await tablesWithRows(copyUrl);
  await dumpTables(copyUrl, tables, dir);
  await runCliOrFail(['db', 'init', '--db', floorUrl]);
  const floorMs = await copyFloor(floorUrl, tables, dir);
  const floorRows = tables.reduce((sum, t) => sum + t.rows, 0);
  const fileBytes = tables.reduce((sum, t) => sum + statSync(path.join(dir, `${t.table}.copy`)).size, 0);

  const copyRate = rows / (run.ms / 1000);
  const floorRate = floorRows / (floorMs / 1000);
  printTable(
    `db copy SQLite → PostgreSQL (${SOURCE ? path.basename(SOURCE) : `${count(FLOW_RUNS)} seeded flow runs`}; ratio = copy rate / floor rate, target ≥ 0.50×)`,
    ['', 'rows', 'time', 'rows/s', 'ratio', 'peak RSS'],
    [
      ['prefectdb db copy (whole command: schema, rows, pointers, ANALYZE, counts)', count(rows), `${(run.ms / 1000).toFixed(1)} s`, count(copyRate), ratio(copyRate, floorRate), `${(run.maxRssKb / 1024).toFixed(0)} MB`],
      [`floor: COPY FROM prepared files (${(fileBytes / 1e6).toFixed(0)} MB), FK triggers off`, count(floorRows), `${(floorMs / 1000).toFixed(1)} s`, count(floorRate), '1.00×', ''],
    ],
  );
  process.stdout.write(`verified: ${report.verified}\n`);
} finally {
  for (const name of names) await withClient(POSTGRES_ADMIN_URL, (c) => c.query(`drop database if exists "${name}" with (force)`)).catch(() => undefined);
  rmSync(dir, {recursive: true, force: true});
}
