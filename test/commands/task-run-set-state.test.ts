import {expect} from 'chai';

import {removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {cli, cliJson, dumpDatabase, expectChanges, expectUnchanged, idsWhere, type OrchestrationJson, readRun, readStateRows, withDatabase} from './state-change-support.js';

// The 2.x fixture holds 35 real task runs in six flow runs.
const FIXTURE = 'prefect-2.x-824e9edafa60.db';

for (const dialect of testDialects()) {
  describe(`task-run set-state on ${FIXTURE} (${dialect})`, function () {
    this.timeout(60_000);
    let url: string;
    let drop: () => Promise<void>;
    let taskRuns: string[];

    beforeEach(async function () {
      ({url, drop} = await fixtureDatabase(this, dialect, FIXTURE));
      taskRuns = await idsWhere(url, 'task_run', () => undefined);
    });

    afterEach(async () => drop?.());
    after(removeTempDirs);

    it('forces one task run COMPLETED → FAILED: one state row, its columns, the first end time kept', async () => {
      const id = taskRuns[0];
      const runBefore = await readRun(url, 'task_run', id);
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['task-run', 'set-state', id, '--state-type', 'failed', '--force', '--message', 'marked by hand']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.status).to.equal('ACCEPT');
      expect(json.state).to.include({type: 'FAILED', name: 'Failed', message: 'marked by hand'});
      expect(json.state!.state_details).to.include({task_run_id: id});
      const written = (await readStateRows(url, 'task_run', id)).at(-1)!;
      expect(written).to.include({id: json.state!.id, type: 'FAILED', timestamp: json.state!.timestamp});
      expect(await readRun(url, 'task_run', id)).to.deep.include({
        state_id: written.id,
        state_type: 'FAILED',
        state_name: 'Failed',
        state_timestamp: written.timestamp,
        end_time: runBefore.end_time,
        start_time: runBefore.start_time,
        run_count: runBefore.run_count,
      });
      expectChanges(before, await dumpDatabase(url), {added: [`task_run_state:${written.id}`], changed: [`task_run:${id}`]});
    });

    it('without --force the server\'s task rules decide; exit code and rows follow the outcome', async () => {
      const id = taskRuns[1];
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['task-run', 'set-state', id, '--state-type', 'RUNNING']);
      const after = await dumpDatabase(url);
      if (json.status === 'ACCEPT') {
        expect(result.exitCode).to.equal(0);
        expectChanges(before, after, {added: [`task_run_state:${json.state!.id}`], changed: [`task_run:${id}`]});
      } else {
        expect(result.exitCode).to.equal(4);
        expect(json.details.reason).to.be.a('string');
      }
    });

    it('bulk by --flow-run and --current-state-type, with a dry run first', async () => {
      const [flowRunId] = await idsWhere(url, 'flow_run', (qb) => qb.whereIn('id', (sub) => sub.from('task_run').select('flow_run_id')).limit(1));
      const selected = await idsWhere(url, 'task_run', (qb) => qb.where({flow_run_id: flowRunId, state_type: 'COMPLETED'}));
      expect(selected.length).to.be.greaterThan(1);
      const args = ['task-run', 'set-state', '--flow-run', flowRunId, '--current-state-type', 'completed', '--state', 'Crashed', '--force'];
      const before = await dumpDatabase(url);
      const dry = await cliJson<OrchestrationJson[]>(url, [...args, '--dry-run']);
      expect(dry.result.exitCode, dry.result.stderr).to.equal(0);
      expect(dry.json.map((r) => r.id)).to.deep.equal(selected);
      expectUnchanged(before, await dumpDatabase(url));
      const real = await cliJson<OrchestrationJson[]>(url, [...args, '--yes']);
      expect(real.result.exitCode, real.result.stderr).to.equal(0);
      expect(real.json.map((r) => r.id)).to.deep.equal(selected);
      expectChanges(before, await dumpDatabase(url), {
        added: real.json.map((r) => `task_run_state:${r.state!.id}`),
        changed: selected.map((id) => `task_run:${id}`),
      });
    });

    it('a Completed state with a cache key is cached in task_run_state_cache (Prefect\'s CacheInsertion)', async () => {
      const id = taskRuns[2];
      const running = await cli(url, ['task-run', 'set-state', id, '--state-type', 'RUNNING', '--force']);
      expect(running.exitCode, running.stderr).to.equal(0);
      const before = await dumpDatabase(url);
      const details = JSON.stringify({cache_key: 'prefectdb-test-key', cache_expiration: '2099-01-01T00:00:00Z'});
      const {result, json} = await cliJson<OrchestrationJson>(url, ['task-run', 'set-state', id, '--state-type', 'COMPLETED', '--details', details]);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.state!.state_details).to.include({cache_key: 'prefectdb-test-key', cache_expiration: '2099-01-01T00:00:00.000000Z'});
      const entries = await withDatabase(url, async (db) =>
        (await db.knex('task_run_state_cache').where('cache_key', 'prefectdb-test-key')).map((row: Record<string, unknown>) => ({
          id: String(row.id),
          task_run_state_id: db.codec.decodeUuid(row.task_run_state_id),
          cache_expiration: db.codec.decodeTimestamp(row.cache_expiration),
        })),
      );
      expect(entries.map(({task_run_state_id, cache_expiration}) => ({task_run_state_id, cache_expiration}))).to.deep.equal([
        {task_run_state_id: json.state!.id, cache_expiration: '2099-01-01T00:00:00.000000Z'},
      ]);
      expectChanges(before, await dumpDatabase(url), {
        added: [`task_run_state:${json.state!.id}`, `task_run_state_cache:${entries[0].id}`],
        changed: [`task_run:${id}`],
      });
    });

    it('refuses bad input and unknown ids, writing nothing', async () => {
      const before = await dumpDatabase(url);
      expect((await cli(url, ['task-run', 'set-state', taskRuns[0], '--state', 'NoSuchState'])).exitCode).to.equal(2);
      expect((await cli(url, ['task-run', 'set-state', taskRuns[0], '--state-type', 'COMPLETED', '--data', 'nope'])).exitCode).to.equal(2);
      expect((await cli(url, ['task-run', 'set-state', '--state-type', 'COMPLETED'])).exitCode).to.equal(2);
      expect((await cli(url, ['task-run', 'set-state', 'ffffffff-ffff-4fff-8fff-ffffffffffff', '--state-type', 'COMPLETED'])).exitCode).to.equal(3);
      expectUnchanged(before, await dumpDatabase(url));
    });
  });
}
