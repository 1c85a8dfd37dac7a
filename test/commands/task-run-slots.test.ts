import {expect} from 'chai';

import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {emptyDatabase, seedOrFail} from '../seed/seeded-database.js';
import {cliJson, dumpDatabase, expectChanges, idsWhere, type OrchestrationJson, withDatabase} from './state-change-support.js';

const V2_LIMIT_ID = '0190d6a0-0000-7000-8000-00000000a2a2';
const V1_LIMIT_ID = '0190d6a0-0000-7000-8000-00000000a1a1';

for (const dialect of testDialects()) {
  describe(`task-run set-state takes and releases tag concurrency slots (${dialect})`, function () {
    this.timeout(120_000);
    let url: string;
    let drop: () => Promise<void>;
    let taskRun: string;

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      ({url, drop} = await emptyDatabase(dialect));
      await seedOrFail(url, ['--flow-runs', '300', '--seed', '7']);
      const [running] = await idsWhere(url, 'flow_run', (qb) => qb.where('state_type', 'RUNNING'));
      [taskRun] = await idsWhere(url, 'task_run', (qb) => qb.where('flow_run_id', running));
      await withDatabase(url, async (db) => {
        const now = db.codec.encodeTimestamp('2026-01-15T12:00:00.000000Z');
        await db.knex('task_run').where('id', taskRun).update({tags: db.codec.encodeJson(['gpu', 'db'])});
        await db.knex('concurrency_limit_v2').insert({
          id: V2_LIMIT_ID, created: now, updated: now, active: db.codec.encodeBoolean(true), name: 'tag:gpu',
          limit: 2, active_slots: 0, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 2,
        });
        await db.knex('concurrency_limit').insert({id: V1_LIMIT_ID, created: now, updated: now, tag: 'db', concurrency_limit: 3, active_slots: db.codec.encodeJson([])});
      });
      const pending = await cliJson<OrchestrationJson>(url, ['task-run', 'set-state', taskRun, '--state-type', 'PENDING', '--force']);
      expect(pending.result.exitCode, pending.result.stderr).to.equal(0);
    });

    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    const slots = () =>
      withDatabase(url, async (db) => ({
        v2: Number((await db.knex('concurrency_limit_v2').where('id', V2_LIMIT_ID).first('active_slots')).active_slots),
        v1: db.codec.decodeJson((await db.knex('concurrency_limit').where('id', V1_LIMIT_ID).first('active_slots')).active_slots),
      }));

    it('RUNNING takes a slot of the tag:gpu limit (V2) and adds the run to the db limit (V1)', async () => {
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['task-run', 'set-state', taskRun, '--state-type', 'RUNNING']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.status).to.equal('ACCEPT');
      expect(await slots()).to.deep.equal({v2: 1, v1: [taskRun]});
      expectChanges(before, await dumpDatabase(url), {
        added: [`task_run_state:${json.state!.id}`],
        changed: [`task_run:${taskRun}`, `concurrency_limit_v2:${V2_LIMIT_ID}`, `concurrency_limit:${V1_LIMIT_ID}`],
      });
    });

    it('COMPLETED releases both', async () => {
      const {result, json} = await cliJson<OrchestrationJson>(url, ['task-run', 'set-state', taskRun, '--state-type', 'COMPLETED']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.status).to.equal('ACCEPT');
      expect(await slots()).to.deep.equal({v2: 0, v1: []});
    });
  });
}
