import {expect} from 'chai';

import {removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {requirePostgres} from '../support/dialects.js';
import {emptyDatabase, seedOrFail} from '../seed/seeded-database.js';
import {
  cli,
  cliJson,
  dumpDatabase,
  expectChanges,
  expectUnchanged,
  idsWhere,
  type OrchestrationJson,
  readRun,
  readStateRows,
  withDatabase,
} from './state-change-support.js';

const PARENT_CANCELLED = 'The parent flow run was cancelled.';

/** Runs of the seeded database the tests below work on, each test on its own runs. */
interface Cast {
  running: string;
  runningTasks: string[];
  subflowWithDeployment: string;
  subflowWithoutDeployment: string;
  scheduled: string[];
  completed: string[];
  failed: string[];
  limitId: string;
}

async function setUpCast(url: string): Promise<Cast> {
  const [running] = await idsWhere(url, 'flow_run', (qb) => qb.where('state_type', 'RUNNING'));
  const tasks = await idsWhere(url, 'task_run', (qb) => qb.where('flow_run_id', running));
  const runningTasks = await idsWhere(url, 'task_run', (qb) => qb.where('flow_run_id', running).whereNotIn('state_type', ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']));
  const scheduled = await idsWhere(url, 'flow_run', (qb) => qb.where('state_type', 'SCHEDULED').whereNotNull('deployment_id'));
  const completed = await idsWhere(url, 'flow_run', (qb) => qb.where('state_type', 'COMPLETED').whereNotNull('deployment_id'));
  const failed = await idsWhere(url, 'flow_run', (qb) => qb.where('state_type', 'FAILED'));
  const [subflowWithDeployment, subflowWithoutDeployment] = scheduled.splice(0, 2);
  const limitId = '0190d6a0-0000-7000-8000-00000000d1d1';
  await withDatabase(url, async (db) => {
    const uuid = (id: string) => db.codec.encodeUuid(id);
    const now = db.codec.encodeTimestamp('2026-01-15T12:00:00.000000Z');
    // Two subflows of the running run, one of them without a deployment; its deployment
    // gets a concurrency limit with two of three slots taken.
    await db.knex('flow_run').where('id', uuid(subflowWithDeployment)).update({parent_task_run_id: uuid(tasks[0])});
    await db.knex('flow_run').where('id', uuid(subflowWithoutDeployment)).update({parent_task_run_id: uuid(tasks[1]), deployment_id: null});
    const {deployment_id: deploymentId} = await db.knex('flow_run').where('id', uuid(running)).first('deployment_id');
    await db.knex('concurrency_limit_v2').insert({
      id: uuid(limitId), created: now, updated: now, active: db.codec.encodeBoolean(true), name: `deployment:${deploymentId}`,
      limit: 3, active_slots: 2, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 2,
    });
    await db.knex('deployment').where('id', deploymentId).update({concurrency_limit_id: uuid(limitId)});
  });
  for (const subflow of [subflowWithDeployment, subflowWithoutDeployment]) {
    const result = await cli(url, ['flow-run', 'set-state', subflow, '--state-type', 'RUNNING', '--force']);
    expect(result.exitCode, result.stderr).to.equal(0);
  }
  return {running, runningTasks, subflowWithDeployment, subflowWithoutDeployment, scheduled, completed, failed, limitId};
}

async function activeSlots(url: string, limitId: string): Promise<number> {
  return withDatabase(url, async (db) => Number((await db.knex('concurrency_limit_v2').where('id', limitId).first('active_slots')).active_slots));
}

for (const dialect of testDialects()) {
  describe(`flow-run cancel / retry / mark-late on a seeded ${dialect} database`, function () {
    this.timeout(120_000);
    let url: string;
    let drop: () => Promise<void>;
    let cast: Cast;

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      ({url, drop} = await emptyDatabase(dialect));
      await seedOrFail(url, ['--flow-runs', '300', '--seed', '7']);
      cast = await setUpCast(url);
    });

    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    it('cancel of a running run proposes Cancelling, leaves its children, and says no process is signalled', async () => {
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['flow-run', 'cancel', cast.running, '--dry-run']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json).to.deep.include({id: cast.running, status: 'ACCEPT'});
      expect(json.state).to.include({type: 'CANCELLING', name: 'Cancelling'});
      expect(result.stderr).to.match(/signals no process and fires no event/);
      expectUnchanged(before, await dumpDatabase(url));
    });

    it('cancel of a Scheduled run without infrastructure is rejected to Cancelled: exit 0, since the run is cancelled (state written)', async () => {
      const id = cast.scheduled[0];
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['flow-run', 'cancel', id]);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(result.stderr).to.include('1 flow run: 1 rejected; all ended Cancelling or Cancelled');
      expect(json.status).to.equal('REJECT');
      expect(json.state).to.include({type: 'CANCELLED'});
      expect(await readRun(url, 'flow_run', id)).to.deep.include({state_id: json.state!.id, state_type: 'CANCELLED', next_scheduled_start_time: null});
      expectChanges(before, await dumpDatabase(url), {added: [`flow_run_state:${json.state!.id}`], changed: [`flow_run:${id}`]});
    });

    it('--force-cancelled cancels the run, releases its deployment slot, and handles task runs and subflows as the cleanup service does', async () => {
      expect(await activeSlots(url, cast.limitId)).to.equal(2);
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['flow-run', 'cancel', cast.running, '--force-cancelled']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.state).to.include({type: 'CANCELLED', name: 'Cancelled'});
      expect(await readRun(url, 'flow_run', cast.running)).to.deep.include({state_type: 'CANCELLED', end_time: json.state!.timestamp});
      expect(await activeSlots(url, cast.limitId)).to.equal(1);

      // Subflows: with a deployment → Cancelling (a worker must stop it), without → Cancelled.
      const withDeployment = await readRun(url, 'flow_run', cast.subflowWithDeployment);
      const withoutDeployment = await readRun(url, 'flow_run', cast.subflowWithoutDeployment);
      expect(withDeployment).to.deep.include({state_type: 'CANCELLING'});
      expect(withoutDeployment).to.deep.include({state_type: 'CANCELLED'});
      for (const subflow of [cast.subflowWithDeployment, cast.subflowWithoutDeployment]) {
        expect((await readStateRows(url, 'flow_run', subflow)).at(-1)!.message).to.equal(PARENT_CANCELLED);
      }
      // Every task run of the cancelled run that was not terminal is now Cancelled.
      const tasks = await idsWhere(url, 'task_run', (qb) => qb.where('flow_run_id', cast.running));
      const changedTasks: string[] = [];
      const addedStates: string[] = [`flow_run_state:${json.state!.id}`];
      for (const task of tasks) {
        const states = await readStateRows(url, 'task_run', task);
        const newStates = states.filter((state) => !before.get('task_run_state')!.has(state.id));
        if (newStates.length === 0) continue;
        changedTasks.push(`task_run:${task}`);
        addedStates.push(...newStates.map((state) => `task_run_state:${state.id}`));
        expect(await readRun(url, 'task_run', task)).to.deep.include({state_type: 'CANCELLED', state_id: states.at(-1)!.id});
      }
      for (const task of cast.runningTasks) expect(changedTasks).to.include(`task_run:${task}`);
      for (const subflow of [cast.subflowWithDeployment, cast.subflowWithoutDeployment]) {
        const newStates = (await readStateRows(url, 'flow_run', subflow)).filter((state) => !before.get('flow_run_state')!.has(state.id));
        expect(newStates).to.have.length(1);
        addedStates.push(`flow_run_state:${newStates[0].id}`);
      }
      expectChanges(before, await dumpDatabase(url), {
        added: addedStates,
        changed: [
          `flow_run:${cast.running}`,
          `flow_run:${cast.subflowWithDeployment}`,
          `flow_run:${cast.subflowWithoutDeployment}`,
          `concurrency_limit_v2:${cast.limitId}`,
          ...changedTasks,
        ],
      });
    });

    it('retry forces a terminal run of a deployment to Scheduled "Retried via CLI"', async () => {
      const id = cast.completed[0];
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['flow-run', 'retry', id]);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.state).to.include({type: 'SCHEDULED', name: 'Scheduled', message: 'Retried via CLI'});
      const run = await readRun(url, 'flow_run', id);
      expect(run).to.deep.include({state_type: 'SCHEDULED', end_time: null, next_scheduled_start_time: json.state!.state_details.scheduled_time});
      expectChanges(before, await dumpDatabase(url), {added: [`flow_run_state:${json.state!.id}`], changed: [`flow_run:${id}`]});
    });

    it('retry refuses a run that is not terminal, or has no deployment, with the reason (exit 4, nothing written)', async () => {
      const noDeployment = cast.completed[1];
      await withDatabase(url, (db) => db.knex('flow_run').where('id', noDeployment).update({deployment_id: null}));
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson[]>(url, ['flow-run', 'retry', cast.scheduled[1], noDeployment]);
      expect(result.exitCode).to.equal(4);
      expect(json.map((r) => r.status)).to.deep.equal(['ABORT', 'ABORT']);
      expect(json[0].details.reason).to.match(/terminal/);
      expect(json[1].details.reason).to.match(/no deployment/);
      expect(json[1].state!.type).to.equal('COMPLETED');
      expectUnchanged(before, await dumpDatabase(url));
    });

    it('mark-late is one pass of the late-runs service: overdue Scheduled runs become Late at their scheduled time', async () => {
      const candidates = await idsWhere(url, 'flow_run', (qb) => qb.where({state_type: 'SCHEDULED', state_name: 'Scheduled'}).whereNotNull('next_scheduled_start_time'));
      const nextStart = new Map<string, string | null>();
      for (const id of candidates) nextStart.set(id, (await readRun(url, 'flow_run', id)).next_scheduled_start_time);
      // The retried run was scheduled just now: not yet 15 s overdue, so not taken.
      const overdue = candidates.filter((id) => Date.parse(nextStart.get(id)!) <= Date.now() - 20_000);
      expect(overdue.length).to.be.greaterThan(5);
      const before = await dumpDatabase(url);
      expect((await cli(url, ['flow-run', 'mark-late'])).exitCode, 'needs --yes').to.equal(4);
      const {result, json} = await cliJson<OrchestrationJson[]>(url, ['flow-run', 'mark-late', '--yes']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.map((r) => r.id)).to.deep.equal(overdue);
      for (const outcome of json) {
        expect(outcome.state).to.include({type: 'SCHEDULED', name: 'Late'});
        expect(outcome.state!.state_details.scheduled_time).to.equal(nextStart.get(outcome.id));
        expect(await readRun(url, 'flow_run', outcome.id)).to.deep.include({state_name: 'Late', next_scheduled_start_time: nextStart.get(outcome.id)});
      }
      expectChanges(before, await dumpDatabase(url), {
        added: json.map((r) => `flow_run_state:${r.state!.id}`),
        changed: overdue.map((id) => `flow_run:${id}`),
      });
      // A second pass finds nothing (exit 0, one line); naming a Late run is rejected by the
      // policy, and still exit 0: the run is Late, which is what mark-late is for.
      const again = await cliJson<OrchestrationJson[]>(url, ['flow-run', 'mark-late', '--yes']);
      expect(again.json).to.deep.equal([]);
      expect(again.result.exitCode).to.equal(0);
      expect(again.result.stderr).to.equal('0 flow runs selected; nothing to do\n');
      const named = await cliJson<OrchestrationJson>(url, ['flow-run', 'mark-late', overdue[0]]);
      expect(named.result.exitCode).to.equal(0);
      expect(named.json.status).to.equal('REJECT');
      expect(named.json.state).to.include({name: 'Late'});
    });

    it('mark-late refuses a bad --after with exit 2', async () => {
      const before = await dumpDatabase(url);
      expect((await cli(url, ['flow-run', 'mark-late', '--after', 'soon', '--yes'])).exitCode).to.equal(2);
      expectUnchanged(before, await dumpDatabase(url));
    });
  });
}
