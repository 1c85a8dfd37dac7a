import {expect} from 'chai';

import {parseInstant} from '../../src/db/codecs/instant.js';
import type {Database} from '../../src/db/connection.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {type DomainRow, emptyDatabase, type EmptyDatabase, openForReading, readTable, seedOrFail} from './seeded-database.js';

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);

function micros(iso: unknown): number {
  const instant = parseInstant(String(iso));
  return instant.seconds * 1e6 + instant.micros;
}

/** Groups state rows by their run, each group in timestamp order. */
function historiesBy(states: DomainRow[], runColumn: string): Map<string, DomainRow[]> {
  const byRun = new Map<string, DomainRow[]>();
  for (const state of states) {
    const runId = state[runColumn] as string;
    if (!byRun.has(runId)) byRun.set(runId, []);
    byRun.get(runId)!.push(state);
  }
  for (const history of byRun.values()) history.sort((a, b) => micros(a.timestamp) - micros(b.timestamp));
  return byRun;
}

/**
 * What the run's columns must be, worked out directly from its history (behaviour.md §1.3),
 * independently of the generator's own bookkeeping.
 */
function expectedColumns(history: DomainRow[]): DomainRow {
  const last = history[history.length - 1];
  const first = history[0];
  const running = history.filter((s) => s.type === 'RUNNING');
  const terminal = history.find((s) => TERMINAL.has(s.type as string));
  let totalMicros = 0;
  for (let i = 1; i < history.length; i++) {
    if (history[i - 1].type === 'RUNNING') totalMicros += micros(history[i].timestamp) - micros(history[i - 1].timestamp);
  }
  const scheduledTime = (state: DomainRow) => (state.state_details as {scheduled_time: string | null}).scheduled_time;
  return {
    state_id: last.id,
    state_type: last.type,
    state_name: last.name,
    state_timestamp: last.timestamp,
    // A run that reached a terminal state without running starts when it ends.
    start_time: running[0]?.timestamp ?? (TERMINAL.has(last.type as string) ? terminal!.timestamp : null),
    end_time: TERMINAL.has(last.type as string) ? terminal!.timestamp : null,
    total_run_time: totalMicros / 1e6,
    run_count: running.length,
    expected_start_time: first.type === 'SCHEDULED' ? micros(scheduledTime(first)) : micros(first.timestamp),
    next_scheduled_start_time: last.type === 'SCHEDULED' ? micros(scheduledTime(last)) : null,
  };
}

function actualColumns(run: DomainRow): DomainRow {
  return {
    state_id: run.state_id,
    state_type: run.state_type,
    state_name: run.state_name,
    state_timestamp: run.state_timestamp,
    start_time: run.start_time,
    end_time: run.end_time,
    total_run_time: run.total_run_time,
    run_count: run.run_count,
    expected_start_time: run.expected_start_time === null ? null : micros(run.expected_start_time),
    next_scheduled_start_time: run.next_scheduled_start_time === null ? null : micros(run.next_scheduled_start_time),
  };
}

function expectStrictlyIncreasing(history: DomainRow[], runId: string): void {
  for (let i = 1; i < history.length; i++) {
    expect(micros(history[i].timestamp), `state timestamps of ${runId}`).to.be.greaterThan(micros(history[i - 1].timestamp));
  }
}

for (const dialect of testDialects()) {
  describe(`db seed data is internally consistent (${dialect})`, function () {
    this.timeout(120_000);
    let database: EmptyDatabase;
    let db: Database;
    let flowRuns: DomainRow[];
    let flowRunStates: Map<string, DomainRow[]>;
    let taskRuns: DomainRow[];
    let taskRunStates: Map<string, DomainRow[]>;

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      await seedOrFail(database.url, ['--seed', '11', '--flow-runs', '600', '--flows', '6', '--deployments', '9']);
      db = await openForReading(database.url);
      flowRuns = await readTable(db, 'flow_run');
      flowRunStates = historiesBy(await readTable(db, 'flow_run_state'), 'flow_run_id');
      taskRuns = await readTable(db, 'task_run');
      taskRunStates = historiesBy(await readTable(db, 'task_run_state'), 'task_run_id');
    });

    after(async () => {
      await db?.knex.destroy();
      await database?.drop();
      removeTempDirs();
    });

    it('writes exactly the flow runs asked for, with a spread of states', () => {
      expect(flowRuns).to.have.length(600);
      const types = new Set(flowRuns.map((r) => r.state_type));
      for (const type of ['SCHEDULED', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED']) expect(types, type).to.include(type);
      const names = new Set(flowRuns.map((r) => r.state_name));
      expect(names).to.include('Late');
      const histories = [...flowRunStates.values()].flat().map((s) => s.name);
      expect(histories).to.include.members(['AwaitingRetry', 'Pending', 'Running', 'Cancelling']);
      expect(flowRuns.some((r) => r.state_type === 'SCHEDULED' && micros(r.expected_start_time) > micros('2026-01-15T12:00:00Z'))).to.equal(true);
    });

    it("gives every flow run the columns Prefect's bookkeeping derives from its state history", () => {
      for (const run of flowRuns) {
        const history = flowRunStates.get(run.id as string);
        expect(history, `history of ${run.id}`).to.be.an('array').that.is.not.empty;
        expectStrictlyIncreasing(history!, run.id as string);
        expect(actualColumns(run), `flow run ${run.id}`).to.deep.equal(expectedColumns(history!));
      }
    });

    it('gives every task run the columns derived from its own history', () => {
      expect(taskRuns.length).to.be.greaterThan(600);
      for (const run of taskRuns) {
        const history = taskRunStates.get(run.id as string);
        expect(history, `history of ${run.id}`).to.be.an('array').that.is.not.empty;
        expectStrictlyIncreasing(history!, run.id as string);
        expect(actualColumns(run), `task run ${run.id}`).to.deep.equal(expectedColumns(history!));
      }
    });

    it('marks scheduler-made runs as Prefect does: auto_scheduled, created_by the schedule, idempotency key', async () => {
      const schedules = new Map((await readTable(db, 'deployment_schedule')).map((s) => [s.id as string, s]));
      const auto = flowRuns.filter((r) => r.auto_scheduled);
      expect(auto.length).to.be.greaterThan(300);
      for (const run of auto) {
        const createdBy = run.created_by as {id: string; type: string; display_value: string};
        expect(createdBy.type).to.equal('SCHEDULE');
        const schedule = schedules.get(createdBy.id);
        expect(schedule, `schedule of ${run.id}`).to.exist;
        expect(schedule!.deployment_id).to.equal(run.deployment_id);
        expect(run.idempotency_key).to.match(new RegExp(`^scheduled ${run.deployment_id} ${createdBy.id} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d$`));
        expect(run.tags).to.include('auto-scheduled');
        const first = flowRunStates.get(run.id as string)![0];
        expect([first.type, first.name]).to.deep.equal(['SCHEDULED', 'Scheduled']);
      }
      for (const run of flowRuns.filter((r) => !r.auto_scheduled)) expect(run.created_by).to.equal(null);
    });

    it('uses lowercase v7 ids for runs, states and logs', async () => {
      const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      const logs = await readTable(db, 'log');
      expect(logs.length).to.be.greaterThan(0);
      for (const row of [...flowRuns, ...taskRuns, ...[...flowRunStates.values()].flat(), ...logs]) expect(row.id).to.match(v7);
    });

    it('gives every work pool its default queue, and each artifact key its latest artifact', async () => {
      const pools = await readTable(db, 'work_pool');
      const queues = new Map((await readTable(db, 'work_queue')).map((q) => [q.id as string, q]));
      for (const pool of pools) {
        const queue = queues.get(pool.default_queue_id as string);
        expect(queue?.name).to.equal('default');
        expect(queue?.work_pool_id).to.equal(pool.id);
      }
      const artifacts = await readTable(db, 'artifact');
      const collections = await readTable(db, 'artifact_collection');
      expect(collections.length).to.be.greaterThan(0);
      for (const collection of collections) {
        const keyed = artifacts.filter((a) => a.key === collection.key);
        const latest = keyed.reduce((a, b) => (micros(b.created) > micros(a.created) ? b : a));
        expect(collection.latest_id).to.equal(latest.id);
      }
    });

    it('leaves no dangling foreign key', async () => {
      if (dialect === 'sqlite') {
        expect(await db.knex.raw('PRAGMA foreign_key_check')).to.deep.equal([]);
      }
      // task_run.state_id and log ids have no foreign keys in Prefect's schema: check them by hand.
      const taskStateIds = new Set([...taskRunStates.values()].flat().map((s) => s.id));
      for (const run of taskRuns) expect(taskStateIds.has(run.state_id)).to.equal(true);
      const runIds = new Set(flowRuns.map((r) => r.id));
      for (const log of await readTable(db, 'log')) expect(runIds.has(log.flow_run_id)).to.equal(true);
    });
  });
}
