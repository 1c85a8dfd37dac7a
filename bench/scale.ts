/**
 * Issue 14: does a command cost the same on a big database as on a small one?
 *
 * 1. Whole-process wall times of every list filter, inspect, db status and the per-object
 *    lists on the big file against the same command on the small one, in interleaved
 *    rounds (median); target ≤ 1.5×.
 * 2. `flow-run ls --all -o jsonl` streamed to /dev/null: time and peak RSS against a plain
 *    script stepping the same statement through better-sqlite3 (PostgreSQL: pg reading a
 *    cursor) and printing each row as JSON; target ≥ 0.5× its speed, ≤ 200 MB. Measured on
 *    BENCH_BIG_DB, and on BENCH_STREAM_PG_URL too when set (read only). CPU is the client
 *    process's only on either side.
 * 3. `db status --sizes` and `db doctor` (every check, with each check's seconds) against
 *    SQLite's own `PRAGMA quick_check` of the same file; target ≤ 2×.
 *
 * Settings: BENCH_BIG_DB (/work/bench-data/seed-1m.db), BENCH_SMALL_DB (/work/bench-data/seed-10k.db),
 * BENCH_SCALE_ROUNDS (5), BENCH_SCALE_PARTS (lists,stream,whole: which parts to run),
 * BENCH_STREAM_PG_URL (unset: the stream part measures SQLite only).
 * The databases are only read (doctor without --fix writes nothing).
 *
 * Either database may be a PostgreSQL URL (both should be). There the server does most of a
 * list's work, so each command's CPU time adds its server processes' (bench/report-pg-cpu.mjs);
 * the whole-database floors, PostgreSQL having no quick_check, are one sequential read of every
 * table and PostgreSQL's own structural check (amcheck, as pg_amcheck runs it) of every table
 * and index (bench/pg-scan-floor.ts).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import Sqlite from 'better-sqlite3';
import pg from 'pg';

import {printTable, ratio} from './measure.js';
import {checkEveryRelation, scanEveryTable} from './pg-scan-floor.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(root, 'bin/run.js');
const BIG = process.env.BENCH_BIG_DB ?? '/work/bench-data/seed-1m.db';
const SMALL = process.env.BENCH_SMALL_DB ?? '/work/bench-data/seed-10k.db';
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 5);
const PARTS = new Set((process.env.BENCH_SCALE_PARTS ?? 'lists,stream,whole').split(','));
const STREAM_PG_URL = process.env.BENCH_STREAM_PG_URL;

const isPostgres = (db: string) => /^postgres(ql)?:\/\//.test(db);
const nameOf = (db: string) => (isPostgres(db) ? new URL(db).pathname.slice(1) : path.basename(db));

for (const db of PARTS.has('lists') ? [BIG, SMALL] : [BIG]) if (!isPostgres(db) && !existsSync(db)) throw new Error(`${db} is missing: seed it with prefectdb db seed`);

interface Facts {
  run: string;
  deployment: string;
  flow: string;
  pool: string;
}

const FACT_QUERIES = {
  deployment: 'select id from deployment order by id limit 1',
  flow: 'select name from flow order by name limit 1',
  pool: 'select name from work_pool order by name limit 1',
};

/** Ids and names the commands need, read from each database (they differ between databases). */
async function factsOf(db: string): Promise<Facts> {
  if (isPostgres(db)) return postgresFactsOf(db);
  const file = new Sqlite(db, {readonly: true});
  const one = (sql: string) => (file.prepare(sql).get() as Record<string, string> | undefined) ?? {};
  const facts = {
    run: one('select id from flow_run where rowid = (select max(rowid) / 2 from flow_run)').id,
    deployment: one(FACT_QUERIES.deployment).id,
    flow: one(FACT_QUERIES.flow).name,
    pool: one(FACT_QUERIES.pool).name,
  };
  file.close();
  return facts;
}

/**
 * PostgreSQL has no rowid to find "the run in the middle". Run ids are UUIDv7 (time first), so
 * the middle of the primary key is the middle of the history; the first run from there that
 * ran tasks is taken.
 */
async function postgresFactsOf(url: string): Promise<Facts> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    const one = async (sql: string) => ((await client.query(sql)).rows[0] as Record<string, string> | undefined) ?? {};
    return {
      run: (
        await one(
          `select id from flow_run
            where id >= (select id from flow_run order by id
                         offset (select greatest(reltuples, 0)::bigint / 2 from pg_class where oid = 'flow_run'::regclass) limit 1)
              and exists (select 1 from task_run where task_run.flow_run_id = flow_run.id) order by id limit 1`,
        )
      ).id,
      deployment: (await one(FACT_QUERIES.deployment)).id,
      flow: (await one(FACT_QUERIES.flow)).name,
      pool: (await one(FACT_QUERIES.pool)).name,
    };
  } finally {
    await client.end();
  }
}

const COMMANDS: Array<[label: string, args: (f: Facts) => string[]]> = [
  ['flow-run ls', () => ['flow-run', 'ls', '-o', 'json']],
  ['flow-run ls --state-type FAILED --since 7d', () => ['flow-run', 'ls', '--state-type', 'FAILED', '--since', '7d', '-o', 'json']],
  ['flow-run ls --state-type COMPLETED', () => ['flow-run', 'ls', '--state-type', 'COMPLETED', '-o', 'json']],
  ['flow-run ls --state Late', () => ['flow-run', 'ls', '--state', 'Late', '-o', 'json']],
  ['flow-run ls --tag auto-scheduled', () => ['flow-run', 'ls', '--tag', 'auto-scheduled', '-o', 'json']],
  ['flow-run ls --flow-name', (f) => ['flow-run', 'ls', '--flow-name', f.flow, '-o', 'json']],
  ['flow-run ls --deployment', (f) => ['flow-run', 'ls', '--deployment', f.deployment, '-o', 'json']],
  ['flow-run ls --work-pool', (f) => ['flow-run', 'ls', '--work-pool', f.pool, '-o', 'json']],
  ['flow-run ls --started-since 1d', () => ['flow-run', 'ls', '--started-since', '1d', '-o', 'json']],
  ['flow-run ls --ended-before 7d', () => ['flow-run', 'ls', '--ended-before', '7d', '-o', 'json']],
  ['flow-run ls --sort name', () => ['flow-run', 'ls', '--sort', 'name', '-o', 'json']],
  ['flow-run inspect', (f) => ['flow-run', 'inspect', f.run, '-o', 'json']],
  ['task-run ls', () => ['task-run', 'ls', '-o', 'json']],
  ['task-run ls --state-type FAILED', () => ['task-run', 'ls', '--state-type', 'FAILED', '-o', 'json']],
  ['task-run ls --flow-run', (f) => ['task-run', 'ls', '--flow-run', f.run, '-o', 'json']],
  ['flow-run logs', (f) => ['flow-run', 'logs', f.run, '-o', 'json']],
  ['db status', () => ['db', 'status', '-o', 'json']],
  ['flow ls', () => ['flow', 'ls', '-o', 'json']],
  ['deployment ls', () => ['deployment', 'ls', '-o', 'json']],
  ['work-pool ls', () => ['work-pool', 'ls', '-o', 'json']],
  ['work-queue ls', () => ['work-queue', 'ls', '-o', 'json']],
  ['artifact ls', () => ['artifact', 'ls', '-o', 'json']],
];

interface ProcessTime {
  wall: number;
  /** The process's own CPU time plus, on PostgreSQL, its server processes'. */
  cpu: number;
  /** The server processes' part of `cpu` (0 on SQLite). */
  server: number;
}

/** Wall and CPU milliseconds of one whole-process run against `db`, its output discarded (or returned). */
function run(args: string[], db: string, {keepStdout = false} = {}): ProcessTime & {stdout: string} {
  const preload = ['--import', path.join(root, 'bench/report-cpu.mjs')];
  if (isPostgres(db)) preload.push('--import', path.join(root, 'bench/report-pg-cpu.mjs'));
  const started = performance.now();
  const result = spawnSync(process.execPath, [...preload, BIN, ...args, '--db', db], {
    stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = performance.now() - started;
  // db doctor exits 6 when it finds something: that is an answer, not a failure.
  if (result.status !== 0 && !(keepStdout && result.status === 6)) throw new Error(`prefectdb ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const microseconds = (name: string) => Number(new RegExp(`prefectdb-bench-${name}-us (\\d+)`).exec(result.stderr)?.[1] ?? NaN) / 1000;
  const server = isPostgres(db) ? microseconds('server-cpu') : 0;
  return {wall, cpu: microseconds('cpu') + server, server, stdout: result.stdout ?? ''};
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function listsPart(): Promise<void> {
  const facts = {big: await factsOf(BIG), small: await factsOf(SMALL)};
  const withServer = isPostgres(BIG) || isPostgres(SMALL);
  const times = new Map<string, {big: ProcessTime[]; small: ProcessTime[]}>();
  // One untimed round warms the page cache for both files; then interleaved rounds.
  for (let round = -1; round < ROUNDS; round++) {
    for (const [label, args] of COMMANDS) {
      const entry = times.get(label) ?? {big: [], small: []};
      const small = run(args(facts.small), SMALL);
      const big = run(args(facts.big), BIG);
      if (round >= 0) {
        entry.small.push(small);
        entry.big.push(big);
      }
      times.set(label, entry);
    }
  }
  printTable(
    `Whole process, medians of ${ROUNDS} interleaved rounds (page cache warm): ${nameOf(BIG)} vs ${nameOf(SMALL)} — target ≤ 1.5×. ` +
      `CPU time (user + system${withServer ? ', the command\'s PostgreSQL server processes included' : ''}) is the steadier figure on a shared machine.`,
    ['command', 'wall big', 'wall small', 'wall ratio', 'CPU big', 'CPU small', 'CPU ratio', ...(withServer ? ['server CPU big', 'server CPU small'] : [])],
    COMMANDS.map(([label]) => {
      const {big, small} = times.get(label)!;
      const of = (values: ProcessTime[], key: keyof ProcessTime) => median(values.map((t) => t[key]));
      const [wb, ws, cb, cs] = [of(big, 'wall'), of(small, 'wall'), of(big, 'cpu'), of(small, 'cpu')];
      const server = withServer ? [seconds(of(big, 'server')), seconds(of(small, 'server'))] : [];
      return [label, seconds(wb), seconds(ws), ratio(wb, ws), seconds(cb), seconds(cs), ratio(cb, cs), ...server];
    }),
  );
}

/** Runs a command under /usr/bin/time -v (failing on other exit codes than `okStatuses`), stdout to /dev/null unless kept: wall and CPU seconds, peak RSS in MB. */
function timedProcess(command: string, args: string[], keepStdout = false, okStatuses = [0]): {seconds: number; cpuSeconds: number; peakMb: number; stdout: string} {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], {stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
  const elapsed = (performance.now() - started) / 1000;
  if (!okStatuses.includes(result.status ?? -1)) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.slice(-2000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  const cpu = (name: string) => Number(new RegExp(`${name} time \\(seconds\\): ([\\d.]+)`).exec(result.stderr)?.[1] ?? NaN);
  return {seconds: elapsed, cpuSeconds: cpu('User') + cpu('System'), peakMb: rss ? Number(rss[1]) / 1024 : NaN, stdout: result.stdout ?? ''};
}

/** The statement prefectdb's --all sends, less the flow-name and state joins: every run, newest expected start first. */
const FLOOR_SQL = 'select * from flow_run order by expected_start_time desc nulls first, id desc';

/** The plain SQLite script: the statement stepped through better-sqlite3, each row printed as JSON. */
const SQLITE_FLOOR_SCRIPT = `
const Sqlite = require(${JSON.stringify(path.join(root, 'node_modules/better-sqlite3'))});
const db = new Sqlite(process.argv[1], {readonly: true});
const statement = db.prepare(process.argv[2]);
let out = '';
for (const row of statement.iterate()) {
  out += JSON.stringify(row) + '\\n';
  if (out.length > 65536) { require('fs').writeSync(1, out); out = ''; }
}
require('fs').writeSync(1, out);
`;

/** The plain PostgreSQL script: pg with its own type parsers reading a cursor 500 rows at a time, each row printed as JSON. */
const POSTGRES_FLOOR_SCRIPT = `
const pg = require(${JSON.stringify(path.join(root, 'node_modules/pg'))});
const fs = require('fs');
(async () => {
  const client = new pg.Client({connectionString: process.argv[1]});
  await client.connect();
  await client.query('begin read only');
  await client.query('declare rows no scroll cursor for ' + process.argv[2]);
  for (;;) {
    const {rows} = await client.query('fetch 500 from rows');
    if (rows.length === 0) break;
    let out = '';
    for (const row of rows) out += JSON.stringify(row) + '\\n';
    fs.writeSync(1, out);
  }
  await client.query('commit');
  await client.end();
})();
`;

async function countRuns(target: string): Promise<number> {
  if (!isPostgres(target)) return Number(execFileSync('sqlite3', [target, 'select count(*) from flow_run'], {encoding: 'utf8'}).trim());
  const client = new pg.Client({connectionString: target});
  await client.connect();
  const {rows} = await client.query('select count(*)::int as count from flow_run');
  await client.end();
  return rows[0].count as number;
}

async function streamPart(): Promise<void> {
  for (const target of [BIG, ...(STREAM_PG_URL ? [STREAM_PG_URL] : [])]) {
    const postgres = isPostgres(target);
    const rows = await countRuns(target);
    const floor = timedProcess(process.execPath, ['-e', postgres ? POSTGRES_FLOOR_SCRIPT : SQLITE_FLOOR_SCRIPT, target, FLOOR_SQL]);
    const cli = timedProcess(process.execPath, [BIN, 'flow-run', 'ls', '--all', '-o', 'jsonl', '--db', target]);
    const where = postgres ? `PostgreSQL ${nameOf(target)}` : nameOf(target);
    printTable(
      `flow-run ls --all -o jsonl on ${rows.toLocaleString('en-US')} runs (${where}), stdout to /dev/null — target ≥ 0.50× the floor's speed, ≤ 200 MB`,
      ['', 'wall', 'CPU', 'rows/s (CPU)', 'peak RSS', 'speed vs floor (wall / CPU)'],
      [
        [
          postgres ? 'floor: plain pg script, cursor, same order, JSON per row' : 'floor: plain better-sqlite3 script, same order, JSON per row',
          seconds(floor.seconds * 1000),
          seconds(floor.cpuSeconds * 1000),
          Math.round(rows / floor.cpuSeconds).toLocaleString('en-US'),
          `${floor.peakMb.toFixed(0)} MB`,
          '',
        ],
        [
          'prefectdb (decoded records with their state and flow name)',
          seconds(cli.seconds * 1000),
          seconds(cli.cpuSeconds * 1000),
          Math.round(rows / cli.cpuSeconds).toLocaleString('en-US'),
          `${cli.peakMb.toFixed(0)} MB`,
          `${(floor.seconds / cli.seconds).toFixed(2)}× / ${(floor.cpuSeconds / cli.cpuSeconds).toFixed(2)}×`,
        ],
      ],
    );
  }
}

async function wholePart(): Promise<void> {
  if (isPostgres(BIG)) return postgresWholePart();
  // Wall time follows the page cache and the machine's load; CPU time (user + system) is the steadier figure.
  const quick = timedProcess('sqlite3', [BIG, 'pragma quick_check']);
  const sizes = timedProcess(process.execPath, [BIN, 'db', 'status', '--sizes', '-o', 'json', '--db', BIG]);
  const doctor = timedProcess(process.execPath, [BIN, 'db', 'doctor', '--json', '--db', BIG], true, [0, 6]); // 6: something found
  const findings: Array<{check: string; seconds: number; status: string}> = JSON.parse(doctor.stdout);
  const row = (label: string, t: {seconds: number; cpuSeconds: number}) => [label, seconds(t.seconds * 1000), ratio(t.seconds, quick.seconds), seconds(t.cpuSeconds * 1000), ratio(t.cpuSeconds, quick.cpuSeconds)];
  printTable(`Whole-database work on ${path.basename(BIG)} — target ≤ 2× quick_check`, ['', 'wall', 'wall vs quick_check', 'CPU', 'CPU vs quick_check'], [
    ['floor: sqlite3 "PRAGMA quick_check"', seconds(quick.seconds * 1000), '', seconds(quick.cpuSeconds * 1000), ''],
    row('db status --sizes', sizes),
    row('db doctor (every check)', doctor),
    ...findings.map((f) => [`  ${f.check} (${f.status}), wall`, `${f.seconds.toFixed(2)} s`, '', '', '']),
  ]);
}

/**
 * PostgreSQL keeps no quick_check. The floor is the cheapest whole-database pass its server
 * offers through SQL: every table read once, sequentially, counting its rows (index scans
 * off, so no index-only shortcut). It reads every heap page, as quick_check reads every
 * b-tree page; it reads no index and checks nothing, so it is the lower of the two floors.
 * Wall time and CPU time (client + server) both; the floor's CPU is its server process's.
 */
async function postgresWholePart(): Promise<void> {
  const floor = await scanEveryTable(BIG);
  const check = await checkEveryRelation(BIG);
  const sizes = run(['db', 'status', '--sizes', '-o', 'json'], BIG);
  const doctor = run(['db', 'doctor', '--json'], BIG, {keepStdout: true});
  const findings = JSON.parse(doctor.stdout) as Array<{check: string; seconds: number; status: string}>;
  printTable(
    `Whole-database work on ${nameOf(BIG)} (${floor.rows.toLocaleString('en-US')} rows in ${floor.tables} tables) — target ≤ 2× the floor`,
    ['', 'wall', 'vs floor', 'CPU (client + server)', 'vs floor'],
    [
      ['floor: count(*) of every table, sequential scans', seconds(floor.wall), '', seconds(floor.cpu), ''],
      [`check floor: amcheck of ${check.tables} tables and b-tree indexes (pg_amcheck's default)`, seconds(check.wall), ratio(check.wall, floor.wall), seconds(check.cpu), ratio(check.cpu, floor.cpu)],
      ['db status --sizes', seconds(sizes.wall), ratio(sizes.wall, floor.wall), seconds(sizes.cpu), ratio(sizes.cpu, floor.cpu)],
      ['db doctor (every check)', seconds(doctor.wall), ratio(doctor.wall, floor.wall), seconds(doctor.cpu), ratio(doctor.cpu, floor.cpu)],
      ['db doctor against the check floor', '', ratio(doctor.wall, check.wall), '', ratio(doctor.cpu, check.cpu)],
      ...findings.map((f) => [`  ${f.check} (${f.status})`, `${f.seconds.toFixed(2)} s`, '', '', '']),
    ],
  );
}

if (PARTS.has('lists')) await listsPart();
if (PARTS.has('stream')) await streamPart();
if (PARTS.has('whole')) await wholePart();
