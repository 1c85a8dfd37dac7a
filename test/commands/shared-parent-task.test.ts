import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

import {expect} from 'chai';

import {removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {cliJson, dumpDatabase, expectUnchanged, idsWhere, type OrchestrationJson, readRun, readStateRows, withDatabase} from './state-change-support.js';

/**
 * Issue 13 item 7: a bulk forced change over every flow run of a real Prefect 2.17 database
 * whose subflows include two that share one parent task run (a retried parent flow reuses
 * its subflow task run). Both subflows' new states are copied onto that task run in one
 * batch; they must land as two state rows at two instants, not collide on the
 * (task_run_id, timestamp) unique index.
 */

const FIXTURE = 'prefect-2.x-824e9edafa60.db';
const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const SHARED_PARENT_TASK = '78625c85-8ec6-40c8-91bb-55c4fb4f42cf';
const FIRST_SUBFLOW = '883b2058-9c6d-4441-8a22-64127beda655';
const SECOND_SUBFLOW = 'f1ef57e1-d7e1-47e6-b0b1-f916128ecdfb';

for (const dialect of testDialects()) {
  describe(`bulk forced change with subflows sharing a parent task run (${dialect})`, function () {
    this.timeout(120_000);
    let url: string;
    let drop: () => Promise<void>;
    let allRuns: string[];

    beforeEach(async function () {
      ({url, drop} = await fixtureDatabase(this, dialect, FIXTURE));
      await withDatabase(url, (db) => db.knex('flow_run').where('id', SECOND_SUBFLOW).update({parent_task_run_id: SHARED_PARENT_TASK}));
      allRuns = await idsWhere(url, 'flow_run', () => undefined);
    });

    afterEach(async () => drop?.());
    after(removeTempDirs);

    it('--dry-run with ids on stdin and -o json succeeds for every run and writes nothing', async () => {
      expect(allRuns).to.have.length(6);
      const before = await dumpDatabase(url);
      const result = spawnSync(process.execPath, [BIN, 'flow-run', 'set-state', '-', '--state-type', 'CANCELLED', '--force', '--dry-run', '--yes', '-o', 'json', '--db', url], {
        input: allRuns.join('\n') + '\n',
        encoding: 'utf8',
        env: {...process.env, NO_COLOR: '1'},
      });
      expect(result.status, result.stderr).to.equal(0);
      const json = JSON.parse(result.stdout) as OrchestrationJson[];
      expect(json.map((r) => r.status)).to.deep.equal(allRuns.map(() => 'ACCEPT'));
      expectUnchanged(before, await dumpDatabase(url));
    });

    it('the real change writes both copies onto the shared task run at distinct instants, the later subflow last', async () => {
      const statesBefore = await readStateRows(url, 'task_run', SHARED_PARENT_TASK);
      const ordered = [...allRuns.filter((id) => id !== SECOND_SUBFLOW), SECOND_SUBFLOW];
      const {result, json} = await cliJson<OrchestrationJson[]>(url, ['flow-run', 'set-state', ...ordered, '--state-type', 'CANCELLED', '--force', '--yes']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json.every((r) => r.status === 'ACCEPT')).to.equal(true);

      const added = (await readStateRows(url, 'task_run', SHARED_PARENT_TASK)).slice(statesBefore.length);
      expect(added.map((s) => s.type)).to.deep.equal(['CANCELLED', 'CANCELLED']);
      expect(added.map((s) => s.state_details.child_flow_run_id)).to.deep.equal([FIRST_SUBFLOW, SECOND_SUBFLOW]);
      expect(added[0].timestamp < added[1].timestamp, `${added[0].timestamp} < ${added[1].timestamp}`).to.equal(true);
      const task = await readRun(url, 'task_run', SHARED_PARENT_TASK);
      expect(task.state_id).to.equal(added[1].id);
      expect(task.state_timestamp).to.equal(added[1].timestamp);
    });

    it('flow-run cancel of the root run cancels both running subflows the same way (the cleanup path)', async () => {
      const root = 'c2056f42-9be7-4d24-ad85-530a1cd1ebad';
      const running = await cliJson<OrchestrationJson[]>(url, ['flow-run', 'set-state', root, FIRST_SUBFLOW, SECOND_SUBFLOW, '--state-type', 'RUNNING', '--force', '--yes']);
      expect(running.result.exitCode, running.result.stderr).to.equal(0);
      const statesBefore = await readStateRows(url, 'task_run', SHARED_PARENT_TASK);
      const {result} = await cliJson(url, ['flow-run', 'cancel', root, '--force-cancelled', '--yes']);
      expect(result.exitCode, result.stderr).to.equal(0);
      const added = (await readStateRows(url, 'task_run', SHARED_PARENT_TASK)).slice(statesBefore.length);
      expect(added.filter((s) => s.type === 'CANCELLED')).to.have.length(2);
      expect(new Set(added.map((s) => s.timestamp)).size).to.equal(added.length);
      for (const id of [FIRST_SUBFLOW, SECOND_SUBFLOW]) expect((await readRun(url, 'flow_run', id)).state_type).to.equal('CANCELLED');
    });

    it('a failure under -o json prints the JSON error on stdout and its one line on stderr', () => {
      const result = spawnSync(process.execPath, [BIN, 'flow-run', 'set-state', '00000000-0000-4000-8000-000000000000', '--state-type', 'CANCELLED', '-o', 'json', '--db', url], {
        encoding: 'utf8',
        env: {...process.env, NO_COLOR: '1'},
      });
      expect(result.status).to.equal(3);
      expect(JSON.parse(result.stdout)).to.have.nested.property('error.code');
      expect(result.stderr.trim().split('\n')).to.have.length(1);
      expect(result.stderr).to.match(/^Error: .*00000000/);
    });
  });
}
