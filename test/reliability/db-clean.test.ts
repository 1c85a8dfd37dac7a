import {copyFileSync} from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {openDatabase} from '../../src/db/connection.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {removeTempDirs, tempDir} from '../support/databases.js';
import {runAndKill, runBuiltCli, sqliteConsistencyProblems, trialRandom} from '../support/kill-harness.js';
import {startLiveWriter} from '../support/live-writer.js';
import {plantOrphans} from '../support/orphans.js';
import {seedOrFail} from '../seed/seeded-database.js';

/**
 * `db clean` beside a live writer and under kill -9 (issue 8). Sizes from the environment:
 * PREFECTDB_RELIABILITY_RUNS (seeded runs, default 3,000), PREFECTDB_KILL_TRIALS (default 20).
 */
const RUNS = Number(process.env.PREFECTDB_RELIABILITY_RUNS ?? 3000);
const TRIALS = Number(process.env.PREFECTDB_KILL_TRIALS ?? 20);
// The seed ends at its --now (2026-01-15 12:00); everything that ended before 11:00 goes.
const CLEAN = ['db', 'clean', '--older-than', '2026-01-15T11:00:00Z', '--orphans', '--events', '2025-12-01T00:00:00Z', '--yes', '-o', 'table'];

function count(file: string, sql: string): number {
  const db = new Database(file, {readonly: true});
  try {
    return Number(Object.values(db.prepare(sql).get() as object)[0]);
  } finally {
    db.close();
  }
}

const left = (file: string) => ({
  expiredRuns: count(file, "select count(*) from flow_run where parent_task_run_id is null and state_type in ('COMPLETED','FAILED','CANCELLED','CRASHED') and end_time < '2026-01-15 11:00:00.000000'"),
  orphanLogs: count(file, 'select count(*) from log where (flow_run_id is not null and flow_run_id not in (select id from flow_run)) or (task_run_id is not null and task_run_id not in (select id from task_run))'),
  orphanArtifacts: count(file, 'select count(*) from artifact where (flow_run_id is not null and flow_run_id not in (select id from flow_run)) or (task_run_id is not null and task_run_id not in (select id from task_run))'),
  orphanCacheRows: count(file, 'select count(*) from task_run_state_cache where task_run_state_id not in (select id from task_run_state)'),
  danglingCollections: count(file, 'select count(*) from artifact_collection where latest_id not in (select id from artifact)'),
  orphanScheduled: count(file, "select count(*) from flow_run where state_type = 'SCHEDULED' and deployment_id is not null and deployment_id not in (select id from deployment)"),
  oldEvents: count(file, "select count(*) from events where occurred < '2025-12-01 00:00:00.000000'"),
});
const NOTHING_LEFT = {expiredRuns: 0, orphanLogs: 0, orphanArtifacts: 0, orphanCacheRows: 0, danglingCollections: 0, orphanScheduled: 0, oldEvents: 0};

describe('db clean reliability (SQLite)', function () {
  this.timeout(3_600_000);
  let template: string;

  before(async () => {
    template = path.join(tempDir(), 'template.db');
    await seedOrFail(template, ['--flow-runs', String(RUNS), '--seed', '23']);
    const db = await openDatabase(resolveDatabaseTarget(template, {}), {write: true});
    await plantOrphans(db);
    await db.knex.destroy();
  });
  after(removeTempDirs);

  it('cleans while a live writer inserts runs: no error either side, every written row kept', async () => {
    const file = path.join(tempDir(), 'live.db');
    copyFileSync(template, file);
    const writer = await startLiveWriter(file);
    const result = await runBuiltCli([...CLEAN, '--db', file]);
    const report = await writer.stop();
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(report.errors).to.deep.equal([]);
    expect(count(file, "select count(*) from flow_run where name like 'live-%'")).to.equal(report.committed.length);
    expect(left(file)).to.deep.equal(NOTHING_LEFT);
    expect(sqliteConsistencyProblems(file)).to.deep.equal([]);
    process.stderr.write(
      `      live writer: ${report.committed.length} runs at ${report.runsPerSecond.toFixed(0)} runs/s, longest wait ${report.longestWaitMs.toFixed(0)} ms; ` +
        `clean: ${(result.ranMs / 1000).toFixed(1)} s, ${/longest lock hold (\d+) ms/.exec(result.stderr)?.[0]}\n`,
    );
  });

  it(`survives kill -9 at ${TRIALS} random moments; re-running finishes the clean`, async () => {
    const probe = path.join(tempDir(), 'probe.db');
    copyFileSync(template, probe);
    const full = await runBuiltCli([...CLEAN, '--db', probe]);
    expect(full.exitCode, full.stderr).to.equal(0);
    const random = trialRandom(Number(process.env.PREFECTDB_KILL_SEED ?? 20261203));
    let interrupted = 0;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const file = path.join(tempDir(), `kill-${trial}.db`);
      copyFileSync(template, file);
      const afterMs = Math.floor(random() * full.ranMs);
      if ((await runAndKill([...CLEAN, '--db', file], afterMs)).killed) interrupted += 1;
      expect(sqliteConsistencyProblems(file), `trial ${trial} killed after ${afterMs} ms`).to.deep.equal([]);
      const rerun = await runBuiltCli([...CLEAN, '--db', file]);
      expect(rerun.exitCode, `trial ${trial}: ${rerun.stderr}`).to.equal(0);
      expect(left(file), `trial ${trial}`).to.deep.equal(NOTHING_LEFT);
      expect(sqliteConsistencyProblems(file), `trial ${trial} after re-run`).to.deep.equal([]);
    }
    expect(interrupted, 'trials that really interrupted the command').to.be.at.least(Math.ceil(TRIALS * 0.6));
  });
});
