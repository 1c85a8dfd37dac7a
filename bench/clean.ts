/**
 * `db clean` benchmark (issue 8): prefectdb cleans the N oldest-ended runs of a copy of a seeded
 * SQLite file; then, in the same run on the same file, a floor of bare batched DELETEs removes
 * the next N runs (batches of 500 runs by end time: cache rows, artifacts, logs, then the runs,
 * whose foreign keys cascade) followed by Prefect's own orphan-log sweep. Prints runs/s, the
 * ratio, the longest lock hold and prefectdb's peak RSS.
 *
 *   node --import tsx bench/clean.ts
 *
 * Settings: BENCH_CLEAN_RUNS (500000), BENCH_CLEAN_SQLITE_SOURCE (/work/bench-data/seed-1m.db), BENCH_DIR.
 */
import {copyFileSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';

import {timedCli} from './cli.js';
import {count, printTable, ratio} from './measure.js';

const RUNS = Number(process.env.BENCH_CLEAN_RUNS ?? 500_000);
const SOURCE = process.env.BENCH_CLEAN_SQLITE_SOURCE ?? '/work/bench-data/seed-1m.db';
const TERMINAL = "('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED')";
const EXPIRED = `parent_task_run_id is null and state_type in ${TERMINAL} and end_time is not null`;

function nthEndTime(file: string, n: number): string {
  const db = new Database(file, {readonly: true});
  const row = db.prepare(`select end_time from flow_run where ${EXPIRED} order by end_time limit 1 offset ?`).get(n) as {end_time: string};
  db.close();
  return row.end_time;
}

function floor(file: string, runs: number): {ms: number; longestLockMs: number} {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  const started = performance.now();
  let longest = 0;
  const batch = (work: () => number) => {
    const t = performance.now();
    db.exec('BEGIN IMMEDIATE');
    const n = work();
    db.exec('COMMIT');
    longest = Math.max(longest, performance.now() - t);
    return n;
  };
  for (let done = 0; done < runs; ) {
    const n = batch(() => {
      const ids = (db.prepare(`select id from flow_run where ${EXPIRED} order by end_time limit ?`).all(Math.min(500, runs - done)) as Array<{id: string}>).map((r) => r.id);
      const marks = ids.map(() => '?').join(',');
      db.prepare(`delete from task_run_state_cache where task_run_state_id in (select s.id from task_run_state s join task_run t on t.id = s.task_run_id where t.flow_run_id in (${marks}))`).run(...ids);
      db.prepare(`delete from artifact where flow_run_id in (${marks})`).run(...ids);
      db.prepare(`delete from log where flow_run_id in (${marks})`).run(...ids);
      db.prepare(`delete from flow_run where id in (${marks})`).run(...ids);
      return ids.length;
    });
    done += n;
    if (n === 0) break;
  }
  // Prefect's db_vacuum orphan-log sweep, batch by batch.
  while (batch(() => db.prepare('delete from log where id in (select id from log where flow_run_id is not null and not exists (select 1 from flow_run where flow_run.id = log.flow_run_id) limit 5000)').run().changes) > 0);
  const ms = performance.now() - started;
  db.close();
  return {ms, longestLockMs: longest};
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), 'prefectdb-bench-clean-'));
  try {
    const file = path.join(scratch, 'clean.db');
    process.stderr.write(`copying ${SOURCE} …\n`);
    copyFileSync(SOURCE, file);
    const cutoff = nthEndTime(file, RUNS);
    process.stderr.write(`prefectdb db clean --older-than ${cutoff} (${count(RUNS)} runs) …\n`);
    const cli = await timedCli(['db', 'clean', '--older-than', cutoff.replace(' ', 'T') + 'Z', '--yes', '-o', 'table', '--db', file]);
    process.stderr.write('floor …\n');
    const bare = floor(file, RUNS);
    const rate = (ms: number) => RUNS / (ms / 1000);
    printTable(`db clean, SQLite (${path.basename(SOURCE)} copy; ratio = floor rate / prefectdb rate)`, ['', 'time', 'runs/s', 'longest lock', 'peak RSS', 'slower by'], [
      [`prefectdb db clean (${count(RUNS)} runs + orphan sweep)`, `${(cli.ms / 1000).toFixed(1)} s`, count(rate(cli.ms)), `${cli.longestLockMs ?? '?'} ms`, `${cli.peakRssMb.toFixed(0)} MB`, ratio(rate(bare.ms), rate(cli.ms))],
      [`floor: bare batched DELETE (${count(RUNS)} runs + orphan-log sweep)`, `${(bare.ms / 1000).toFixed(1)} s`, count(rate(bare.ms)), `${bare.longestLockMs.toFixed(0)} ms`, '', '1.00×'],
    ]);
  } finally {
    rmSync(scratch, {recursive: true, force: true});
  }
}

await main();
