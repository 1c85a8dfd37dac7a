import {copyFileSync} from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {openDatabase} from '../../src/db/connection.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {removeTempDirs, tempDir} from '../support/databases.js';
import {runAndKill, runBuiltCli, sqliteConsistencyProblems, trialRandom} from '../support/kill-harness.js';
import {startLiveWriter} from '../support/live-writer.js';
import {plantRunGraph} from '../support/run-graph.js';
import {seedOrFail} from '../seed/seeded-database.js';

/**
 * Bulk delete beside a live writer, and under kill -9. Sizes come from the environment so the
 * full-size run (100,000 runs) can be made on purpose: PREFECTDB_RELIABILITY_RUNS (default 3,000)
 * and PREFECTDB_KILL_TRIALS (default 20).
 */
const RUNS = Number(process.env.PREFECTDB_RELIABILITY_RUNS ?? 3000);
const TRIALS = Number(process.env.PREFECTDB_KILL_TRIALS ?? 20);
// Seeded runs expect to start around the seed's --now; the writer's runs start now (later).
const SEEDED_ONLY = ['--until', '2026-06-01T00:00:00Z'];

function count(file: string, sql: string): number {
  const db = new Database(file, {readonly: true});
  try {
    return Number(Object.values(db.prepare(sql).get() as object)[0]);
  } finally {
    db.close();
  }
}

const leftovers = (file: string) => ({
  seededRuns: count(file, "select count(*) from flow_run where expected_start_time <= '2026-06-01 00:00:00.000000'"),
  orphanLogs: count(file, 'select count(*) from log where flow_run_id is not null and flow_run_id not in (select id from flow_run)'),
  orphanArtifacts: count(file, 'select count(*) from artifact where flow_run_id is not null and flow_run_id not in (select id from flow_run)'),
  orphanCacheRows: count(file, 'select count(*) from task_run_state_cache where task_run_state_id not in (select id from task_run_state)'),
  danglingCollections: count(file, 'select count(*) from artifact_collection where latest_id not in (select id from artifact)'),
});
const NONE_LEFT = {seededRuns: 0, orphanLogs: 0, orphanArtifacts: 0, orphanCacheRows: 0, danglingCollections: 0};

describe('flow-run delete reliability (SQLite)', function () {
  this.timeout(3_600_000);
  let template: string;

  before(async () => {
    template = path.join(tempDir(), 'template.db');
    await seedOrFail(template, ['--flow-runs', String(RUNS), '--seed', '21']);
    const db = await openDatabase(resolveDatabaseTarget(template, {}), {write: true});
    await plantRunGraph(db);
    await db.knex.destroy();
  });
  after(removeTempDirs);

  it(`deletes ${RUNS.toLocaleString('en-US')} runs in bulk while a live writer inserts runs: no error either side, every written row kept`, async () => {
    const file = path.join(tempDir(), 'live.db');
    copyFileSync(template, file);
    const writer = await startLiveWriter(file);
    const result = await runBuiltCli(['flow-run', 'delete', ...SEEDED_ONLY, '--yes', '-o', 'table', '--db', file]);
    const report = await writer.stop();
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(report.errors).to.deep.equal([]);
    const db = new Database(file, {readonly: true});
    const kept = db.prepare("select count(*) as n from flow_run where name like 'live-%'").get() as {n: number};
    db.close();
    expect(kept.n).to.equal(report.committed.length);
    expect(leftovers(file)).to.deep.equal(NONE_LEFT);
    expect(sqliteConsistencyProblems(file)).to.deep.equal([]);
    const hold = /longest lock hold (\d+) ms/.exec(result.stderr)?.[1];
    process.stderr.write(
      `      live writer: ${report.committed.length} runs at ${report.runsPerSecond.toFixed(0)} runs/s, longest wait for the lock ${report.longestWaitMs.toFixed(0)} ms; ` +
        `delete: ${RUNS} runs in ${(result.ranMs / 1000).toFixed(1)} s, longest lock hold of one batch ${hold} ms\n`,
    );
  });

  it(`survives kill -9 at ${TRIALS} random moments; re-running finishes the delete`, async () => {
    const args = (file: string) => ['flow-run', 'delete', ...SEEDED_ONLY, '--yes', '-o', 'table', '--db', file];
    const probe = path.join(tempDir(), 'probe.db');
    copyFileSync(template, probe);
    const full = await runBuiltCli(args(probe));
    expect(full.exitCode, full.stderr).to.equal(0);
    const random = trialRandom(Number(process.env.PREFECTDB_KILL_SEED ?? 20261202));
    let interrupted = 0;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const file = path.join(tempDir(), `kill-${trial}.db`);
      copyFileSync(template, file);
      const afterMs = Math.floor(random() * full.ranMs);
      const killed = await runAndKill(args(file), afterMs);
      if (killed.killed) interrupted += 1;
      expect(sqliteConsistencyProblems(file), `trial ${trial} killed after ${afterMs} ms`).to.deep.equal([]);
      const rerun = await runBuiltCli(args(file));
      expect(rerun.exitCode, `trial ${trial}: ${rerun.stderr}`).to.equal(0);
      expect(leftovers(file), `trial ${trial}`).to.deep.equal(NONE_LEFT);
      expect(sqliteConsistencyProblems(file), `trial ${trial} after re-run`).to.deep.equal([]);
    }
    expect(interrupted, 'trials that really interrupted the command').to.be.at.least(Math.ceil(TRIALS * 0.6));
  });
});
