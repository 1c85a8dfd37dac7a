/**
 * `db upgrade` against Prefect's own upgrade of the same database, side by side, both
 * dialects (issue 12). The database: `db seed` at the head (BENCH_UPGRADE_FLOW_RUNS flow runs,
 * default 50,000, with their task runs, states and logs), taken down to Prefect 2.13.0 by
 * Prefect's own downgrade scripts (shared/tools/prefect_alembic.py), and kept in a cache
 * (BENCH_UPGRADE_CACHE, default $TMPDIR/prefectdb-bench-upgrade) for the next run. Each round
 * upgrades two fresh copies to the head: one with `prefect_alembic.py upgrade` (Prefect's
 * scripts, unmodified), one with `prefectdb db upgrade`. Wall time and peak RSS of each process
 * come from /usr/bin/time -v. Needs python3 with alembic (the tool's README), like the tests'
 * fixture generators; the test suite does not.
 *
 *   npm run bench:upgrade
 *   BENCH_UPGRADE_FLOW_RUNS=10000 BENCH_UPGRADE_DIALECTS=sqlite npm run bench:upgrade
 */
import {spawn} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, renameSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';

import {PREFECT_ALEMBIC} from '../test/support/prefect-alembic.js';
import {CLI, runCliOrFail} from './cli.js';
import {count, printTable, ratio} from './measure.js';

const FLOW_RUNS = Number(process.env.BENCH_UPGRADE_FLOW_RUNS ?? 50_000);
const CACHE = process.env.BENCH_UPGRADE_CACHE ?? path.join(tmpdir(), 'prefectdb-bench-upgrade');
const DIALECTS = (process.env.BENCH_UPGRADE_DIALECTS ?? 'sqlite postgres').split(/[\s,]+/).filter(Boolean);
const ROUNDS = Number(process.env.BENCH_UPGRADE_ROUNDS ?? 1);
const POSTGRES_ADMIN_URL = process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BASELINE = {sqlite: 'c2d001b7dd06', postgres: '50f8c182c3ca'};

interface Timed {
  seconds: number;
  maxRssMb: number;
}

/** A command under /usr/bin/time -v: wall time and the process's peak RSS. */
function timed(command: string, args: string[]): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-v', command, ...args], {env: {...process.env, NO_COLOR: '1'}});
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${code}): ${stderr.slice(-2000)}`));
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({seconds: (performance.now() - started) / 1000, maxRssMb: rss ? Number(rss[1]) / 1024 : NaN});
    });
  });
}

const prefectUpgrade = (target: string) => timed('/usr/bin/python3', [PREFECT_ALEMBIC, 'upgrade', target, 'head', '-q']);
const prefectdbUpgrade = (target: string) => timed(process.execPath, [...CLI.args, 'db', 'upgrade', '--db', target, '--yes', '-o', 'table']);

function prefectDowngrade(target: string, revision: string): Promise<Timed> {
  return timed('/usr/bin/python3', [PREFECT_ALEMBIC, 'downgrade', target, revision, '-q']);
}

function databaseUrl(name: string, scheme = 'postgres'): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString().replace(/^postgres(ql)?:/, `${scheme}:`);
}

async function admin(sql: string, url = POSTGRES_ADMIN_URL): Promise<pg.QueryResult> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

// ------------------------------------------------------------------------------------ SQLite

async function sqliteBase(): Promise<string> {
  const base = path.join(CACHE, `sqlite-${BASELINE.sqlite}-${FLOW_RUNS}.db`);
  if (existsSync(base)) return base;
  const building = `${base}.building`;
  rmSync(building, {force: true});
  process.stderr.write(`seeding ${count(FLOW_RUNS)} flow runs at the head (SQLite) …\n`);
  await runCliOrFail(['db', 'seed', '--db', building, '--flow-runs', String(FLOW_RUNS), '--seed', '12']);
  const db = new Database(building);
  // Prefect's variables downgrade cannot take an object or a list back into the old string column.
  db.exec("delete from variable where json_type(value) <> 'text'");
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  db.close();
  process.stderr.write(`taking it down to 2.13.0 with Prefect's own downgrade …\n`);
  const down = await prefectDowngrade(building, BASELINE.sqlite);
  process.stderr.write(`  Prefect's downgrade: ${down.seconds.toFixed(1)} s\n`);
  renameSync(building, base);
  return base;
}

async function benchSqlite(): Promise<string[][]> {
  const base = await sqliteBase();
  const rows: string[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const theirs = path.join(CACHE, 'round-prefect.db');
    const ours = path.join(CACHE, 'round-prefectdb.db');
    for (const file of [theirs, ours]) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, {force: true});
      copyFileSync(base, file);
    }
    const prefect = await prefectUpgrade(theirs);
    const prefectdb = await prefectdbUpgrade(ours);
    rows.push(row('SQLite', prefect, prefectdb));
  }
  return rows;
}

// -------------------------------------------------------------------------------- PostgreSQL

async function postgresBase(): Promise<string> {
  const name = `prefectdb_bench_upgrade_${FLOW_RUNS}`;
  const exists = await admin(`select 1 from pg_database where datname = '${name}'`);
  if (exists.rowCount) return name;
  const building = `${name}_building`;
  await admin(`drop database if exists ${building} with (force)`);
  await admin(`create database ${building}`);
  process.stderr.write(`seeding ${count(FLOW_RUNS)} flow runs at the head (PostgreSQL) …\n`);
  await runCliOrFail(['db', 'seed', '--db', databaseUrl(building), '--flow-runs', String(FLOW_RUNS), '--seed', '12']);
  // On PostgreSQL Prefect's variables downgrade fails on every value that is not a JSON number or boolean.
  await admin("delete from variable where jsonb_typeof(value) not in ('number', 'boolean')", databaseUrl(building));
  process.stderr.write(`taking it down to 2.13.0 with Prefect's own downgrade …\n`);
  const down = await prefectDowngrade(databaseUrl(building, 'postgresql'), BASELINE.postgres);
  process.stderr.write(`  Prefect's downgrade: ${down.seconds.toFixed(1)} s\n`);
  await admin(`alter database ${building} rename to ${name}`);
  return name;
}

async function benchPostgres(): Promise<string[][]> {
  const base = await postgresBase();
  const rows: string[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const copies = [`${base}_prefect`, `${base}_prefectdb`];
    for (const copy of copies) {
      await admin(`drop database if exists ${copy} with (force)`);
      await admin(`create database ${copy} template ${base}`);
    }
    try {
      const prefect = await prefectUpgrade(databaseUrl(copies[0], 'postgresql'));
      const prefectdb = await prefectdbUpgrade(databaseUrl(copies[1]));
      rows.push(row('PostgreSQL', prefect, prefectdb));
    } finally {
      for (const copy of copies) await admin(`drop database if exists ${copy} with (force)`);
    }
  }
  return rows;
}

function row(dialect: string, prefect: Timed, prefectdb: Timed): string[] {
  return [
    dialect,
    `${prefect.seconds.toFixed(1)} s`,
    `${prefectdb.seconds.toFixed(1)} s`,
    ratio(prefectdb.seconds, prefect.seconds),
    `${prefect.maxRssMb.toFixed(0)} MB`,
    `${prefectdb.maxRssMb.toFixed(0)} MB`,
  ];
}

mkdirSync(CACHE, {recursive: true});
const rows: string[][] = [];
if (DIALECTS.includes('sqlite')) rows.push(...(await benchSqlite()));
if (DIALECTS.includes('postgres')) rows.push(...(await benchPostgres()));
printTable(
  `db upgrade 2.13.0 → head, ${count(FLOW_RUNS)} flow runs (${CLI.label}); ratio = prefectdb / Prefect (under 1 is faster)`,
  ['dialect', "Prefect's upgrade", 'prefectdb db upgrade', 'ratio', 'Prefect peak RSS', 'prefectdb peak RSS'],
  rows,
);
