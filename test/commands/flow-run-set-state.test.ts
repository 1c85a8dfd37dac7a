import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

import {expect} from 'chai';

import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
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

const FIXTURE = 'prefect-3.x-9e83011d1f2a.db';
const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

for (const dialect of testDialects()) {
  describe(`flow-run set-state on ${dialect}`, function () {
    this.timeout(60_000);
    let url: string;
    let drop: () => Promise<void>;
    let scheduled: string[];
    let completed: string[];

    beforeEach(async function () {
      ({url, drop} = await fixtureDatabase(this, dialect, FIXTURE));
      scheduled = await idsWhere(url, 'flow_run', (qb) => qb.where('state_type', 'SCHEDULED'));
      completed = await idsWhere(url, 'flow_run', (qb) => qb.where('state_type', 'COMPLETED'));
    });

    afterEach(async () => drop?.());
    after(removeTempDirs);

    it('accepts SCHEDULED → RUNNING for one run and writes exactly its state row and columns', async () => {
      const id = scheduled[0];
      const runBefore = await readRun(url, 'flow_run', id);
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['flow-run', 'set-state', id, '--state-type', 'running']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json).to.include({id, status: 'ACCEPT'});
      expect(json.details).to.deep.equal({type: 'accept_details', reason: null});
      expect(json.state).to.include({type: 'RUNNING', name: 'Running', message: null, data: null});
      expect(json.state!.state_details.flow_run_id).to.equal(id);
      expect(json.state!.timestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

      const states = await readStateRows(url, 'flow_run', id);
      const written = states.at(-1)!;
      expect(written).to.deep.include({id: json.state!.id, type: 'RUNNING', name: 'Running', timestamp: json.state!.timestamp, message: null, data: null, result_artifact_id: null});
      expect(written.state_details).to.deep.equal(json.state!.state_details);
      expect(written.id[14], 'UUIDv7').to.equal('7');
      const run = await readRun(url, 'flow_run', id);
      expect(run).to.deep.include({
        state_id: written.id,
        state_type: 'RUNNING',
        state_name: 'Running',
        state_timestamp: written.timestamp,
        start_time: written.timestamp,
        end_time: null,
        next_scheduled_start_time: null,
        expected_start_time: runBefore.expected_start_time,
        run_count: runBefore.run_count + 1,
      });
      expect(run.updated > runBefore.updated).to.equal(true);
      expectChanges(before, await dumpDatabase(url), {added: [`flow_run_state:${written.id}`], changed: [`flow_run:${id}`]});
    });

    it('reports a rejection with exit 4, the current state, and writes nothing', async () => {
      const id = completed[0];
      const before = await dumpDatabase(url);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['flow-run', 'set-state', id, '--state', 'late']);
      expect(result.exitCode).to.equal(4);
      expect(json.status).to.be.oneOf(['REJECT', 'ABORT']);
      expect(json.details.reason).to.be.a('string').and.not.empty;
      const run = await readRun(url, 'flow_run', id);
      expect(json.state!.id).to.equal(run.state_id);
      expectUnchanged(before, await dumpDatabase(url));
    });

    it('pins the timestamp, keeps the message, and stores --data as a result artifact', async () => {
      const id = scheduled[1];
      const data = {type: 'literal', value: 42};
      const {result, json} = await cliJson<OrchestrationJson>(url, [
        'flow-run', 'set-state', id, '--state-type', 'COMPLETED', '--force', '--message', 'done by hand',
        '--data', JSON.stringify(data), '--timestamp', '2026-01-02T03:04:05.123456Z',
      ]);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.state).to.include({type: 'COMPLETED', timestamp: '2026-01-02T03:04:05.123456Z', message: 'done by hand'});
      expect(json.state!.data).to.deep.equal(data);
      const written = (await readStateRows(url, 'flow_run', id)).find((state) => state.id === json.state!.id)!;
      expect(written.data).to.equal(null);
      expect(written.result_artifact_id).to.be.a('string');
      const artifact = await withDatabase(url, async (db) => {
        const row = await db.knex('artifact').where('id', written.result_artifact_id).first();
        return {data: db.codec.decodeJson(row.data), flow_run_id: db.codec.decodeUuid(row.flow_run_id), task_run_id: row.task_run_id};
      });
      expect(artifact).to.deep.equal({data, flow_run_id: id, task_run_id: null});
      const run = await readRun(url, 'flow_run', id);
      expect(run).to.deep.include({state_type: 'COMPLETED', end_time: '2026-01-02T03:04:05.123456Z', start_time: '2026-01-02T03:04:05.123456Z'});
    });

    it('--force leaves a terminal state through the minimal policy: end time cleared, run count up', async () => {
      const id = completed[0];
      const runBefore = await readRun(url, 'flow_run', id);
      const {result, json} = await cliJson<OrchestrationJson>(url, ['flow-run', 'set-state', id, '--state-type', 'RUNNING', '--force']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.status).to.equal('ACCEPT');
      const run = await readRun(url, 'flow_run', id);
      expect(run).to.deep.include({state_type: 'RUNNING', end_time: null, start_time: runBefore.start_time, run_count: runBefore.run_count + 1});
    });

    it('bulk by filter: refused without --yes, a dry run writes nothing, --yes changes every match', async () => {
      const args = ['flow-run', 'set-state', '--current-state-type', 'SCHEDULED', '--state-type', 'CANCELLED'];
      const before = await dumpDatabase(url);
      const refused = await cli(url, args);
      expect(refused.exitCode).to.equal(4);
      expect(refused.stderr).to.match(/--yes/);
      expectUnchanged(before, await dumpDatabase(url));

      const dry = await cliJson<OrchestrationJson[]>(url, [...args, '--dry-run']);
      expect(dry.result.exitCode, dry.result.stderr).to.equal(0);
      expect(dry.json.map((r) => r.id)).to.deep.equal(scheduled);
      expect(dry.json.every((r) => r.status === 'ACCEPT' && r.state?.type === 'CANCELLED')).to.equal(true);
      expect(dry.result.stderr).to.match(/dry run/);
      expectUnchanged(before, await dumpDatabase(url));

      const real = await cliJson<OrchestrationJson[]>(url, [...args, '--yes']);
      expect(real.result.exitCode, real.result.stderr).to.equal(0);
      expect(real.json.map((r) => r.id)).to.deep.equal(scheduled);
      for (const outcome of real.json) {
        const run = await readRun(url, 'flow_run', outcome.id);
        expect(run).to.deep.include({state_id: outcome.state!.id, state_type: 'CANCELLED', end_time: outcome.state!.timestamp, next_scheduled_start_time: null});
      }
      expectChanges(before, await dumpDatabase(url), {
        added: real.json.map((r) => `flow_run_state:${r.state!.id}`),
        changed: scheduled.map((id) => `flow_run:${id}`),
      });
    });

    it('--limit caps a bulk selection and the table form counts outcomes', async () => {
      const result = await cli(url, ['flow-run', 'set-state', '--current-state', 'scheduled', '--state', 'Crashed', '--limit', '2', '--yes']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/ACCEPT\s+Crashed\s+2/);
      const crashed = await idsWhere(url, 'flow_run', (qb) => qb.where('state_type', 'CRASHED'));
      expect(crashed).to.deep.equal(scheduled.slice(0, 2));
    });

    it('takes ids from stdin with -', async () => {
      const run = spawnSync(process.execPath, [BIN, 'flow-run', 'set-state', '-', '--state-type', 'PENDING', '--db', url, '--json'], {
        input: scheduled.slice(0, 3).join('\n') + '\n',
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).to.equal(0);
      const json = JSON.parse(run.stdout) as OrchestrationJson[];
      expect(json.map((r) => r.id)).to.deep.equal(scheduled.slice(0, 3));
      expect(json.every((r) => r.state?.type === 'PENDING')).to.equal(true);
    });

    const badInput: Array<[string, string[]]> = [
      ['an unknown state name', ['--state', 'Nonsense']],
      ['an unknown state type', ['--state-type', 'BOGUS']],
      ['a name of another type', ['--state', 'Late', '--state-type', 'RUNNING']],
      ['no target state', []],
      ['malformed --details', ['--state-type', 'RUNNING', '--details', '{bad']],
      ['--details that is no object', ['--state-type', 'RUNNING', '--details', '[1]']],
      ['an unknown state_details field', ['--state-type', 'RUNNING', '--details', '{"nope": 1}']],
      ['a bad time in --details', ['--state-type', 'SCHEDULED', '--details', '{"scheduled_time": "soon"}']],
      ['malformed --data', ['--state-type', 'COMPLETED', '--data', '{x']],
      ['a bad --timestamp', ['--state-type', 'RUNNING', '--timestamp', 'yesterday-ish']],
    ];
    for (const [what, flags] of badInput) {
      it(`refuses ${what} with exit 2 and writes nothing`, async () => {
        const before = await dumpDatabase(url);
        const result = await cli(url, ['flow-run', 'set-state', scheduled[0], ...flags]);
        expect(result.exitCode, result.stderr).to.equal(2);
        expect(result.stderr.trim().split('\n')).to.have.length(1);
        expectUnchanged(before, await dumpDatabase(url));
      });
    }

    it('refuses a selection with neither ids nor filter (2), ids with a filter (2), an unknown id (3)', async () => {
      const before = await dumpDatabase(url);
      expect((await cli(url, ['flow-run', 'set-state', '--state-type', 'RUNNING', '--yes'])).exitCode).to.equal(2);
      expect((await cli(url, ['flow-run', 'set-state', scheduled[0], '--current-state-type', 'SCHEDULED', '--state-type', 'RUNNING'])).exitCode).to.equal(2);
      expect((await cli(url, ['flow-run', 'set-state', '00000000-0000-4000-8000-000000000000', '--state-type', 'RUNNING'])).exitCode).to.equal(3);
      expectUnchanged(before, await dumpDatabase(url));
    });
  });

  describe(`flow-run set-state on every fixture revision (${dialect})`, function () {
    this.timeout(60_000);
    after(removeTempDirs);
    for (const fixture of PREFECT_FIXTURES) {
      it(`${fixture}: writes only the columns the revision has, and only the run and one state row`, async function () {
        const {url, drop} = await fixtureDatabase(this, dialect, fixture);
        try {
          const [id] = await idsWhere(url, 'flow_run', (qb) => qb.whereNotNull('state_id').limit(1));
          const before = await dumpDatabase(url);
          const {result, json} = await cliJson<OrchestrationJson>(url, ['flow-run', 'set-state', id, '--state', 'Crashed', '--force', '--message', 'zombie']);
          expect(result.exitCode, result.stderr).to.equal(0);
          expect(json.state).to.include({type: 'CRASHED', name: 'Crashed', message: 'zombie'});
          const run = await readRun(url, 'flow_run', id);
          expect(run).to.deep.include({state_id: json.state!.id, state_type: 'CRASHED', state_name: 'Crashed', state_timestamp: json.state!.timestamp});
          const expected = {added: [`flow_run_state:${json.state!.id}`], changed: [`flow_run:${id}`]};
          const parentTaskRunId = run.parent_task_run_id ? String(run.parent_task_run_id) : null;
          if (parentTaskRunId) {
            // A subflow: Prefect forces a copy of its new state onto the parent task run.
            const parentState = (await readStateRows(url, 'task_run', parentTaskRunId)).at(-1)!;
            expect(parentState).to.include({type: 'CRASHED', name: 'Crashed', message: 'zombie'});
            expect(parentState.state_details.child_flow_run_id).to.equal(id);
            expect(await readRun(url, 'task_run', parentTaskRunId)).to.deep.include({state_id: parentState.id, state_type: 'CRASHED'});
            expected.added.push(`task_run_state:${parentState.id}`);
            expected.changed.push(`task_run:${parentTaskRunId}`);
          }
          expectChanges(before, await dumpDatabase(url), expected);
        } finally {
          await drop();
        }
      });
    }
  });
}
