import {randomUUID} from 'node:crypto';

import {expect} from 'chai';

import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {execute, fileHash, readRows, snapshotTables, storedBoolean, storedJson, UUID4, without} from '../support/table-rows.js';

type Json = Record<string, unknown>;

function ok(result: CliResult): CliResult {
  expect(result.exitCode, result.stderr).to.equal(0);
  return result;
}

// Prefect 3.4.19 (migration 9e83011d1f2a) moved tag limits into concurrency_limit_v2 as "tag:<tag>".
const tagLimitsAreGlobal = (fixture: string) => fixture.includes('9e83011d1f2a');

for (const fixture of PREFECT_FIXTURES) {
  for (const dialect of testDialects()) {
    describe(`concurrency limit writes on ${fixture} (${dialect})`, () => {
      let url: string;
      let drop: () => Promise<void>;
      const cli = (...args: string[]) => runCli([...args, '--db', url]);
      const rows = (sql: string, params: unknown[] = []) => readRows(dialect, url, sql, params);
      const v2 = async (name: string) => (await rows('select * from concurrency_limit_v2 where name = $1', [name]))[0];
      const v1 = async (tag: string) => (await rows('select * from concurrency_limit where tag = $1', [tag]))[0];
      const tagsJson = (tags: string[]) => (dialect === 'sqlite' ? JSON.stringify(tags).replaceAll(',', ', ') : JSON.stringify(tags));

      before(async function () {
        ({url, drop} = await fixtureDatabase(this, dialect, fixture));
      });
      after(async () => {
        await drop?.();
        removeTempDirs();
      });

      it('concurrency-limit create writes the tag limit where that Prefect release kept it, and upserts', async () => {
        const before = await snapshotTables(dialect, url);
        const printed = parseJson<Json>(ok(await cli('concurrency-limit', 'create', 'db', '2', '--json')));
        expect(printed).to.deep.equal(parseJson(ok(await cli('concurrency-limit', 'inspect', 'db', '--json'))));
        const after = await snapshotTables(dialect, url);
        if (tagLimitsAreGlobal(fixture)) {
          const row = await v2('tag:db');
          expect(row.id).to.match(UUID4);
          expect({...row, id: 0, created: 0, updated: 0}).to.deep.equal({
            id: 0, created: 0, updated: 0,
            active: storedBoolean(dialect, true), name: 'tag:db', limit: 2, active_slots: 0, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 2,
          });
          expect(printed).to.include({id: row.id, tag: 'db', concurrency_limit: 2, stored_in: 'concurrency_limit_v2'});
          expect(without(after, 'concurrency_limit_v2')).to.deep.equal(without(before, 'concurrency_limit_v2'));
        } else {
          const row = await v1('db');
          expect(row.id).to.match(UUID4);
          expect({...row, id: 0, created: 0, updated: 0}).to.deep.equal({id: 0, created: 0, updated: 0, tag: 'db', concurrency_limit: 2, active_slots: storedJson(dialect, '[]', [])});
          expect(printed).to.include({id: row.id, tag: 'db', concurrency_limit: 2, stored_in: 'concurrency_limit'});
          expect(without(after, 'concurrency_limit')).to.deep.equal(without(before, 'concurrency_limit'));
        }
        const again = parseJson<Json>(ok(await cli('concurrency-limit', 'create', 'db', '5', '--json')));
        expect(again).to.include({id: printed.id, created: printed.created, concurrency_limit: 5});
        expect(again.updated, 'updated bumped').to.not.equal(printed.updated);
        const listed = parseJson<Json[]>(ok(await cli('concurrency-limit', 'ls', '--json')));
        expect(listed.map((l) => [l.tag, l.concurrency_limit])).to.deep.equal([['db', 5]]);
      });

      it('inspect shows the task runs holding slots with their states; reset --stale keeps only Running/Cancelling holders; reset releases all', async () => {
        const states = ['RUNNING', 'COMPLETED', 'CANCELLING'];
        const taskRuns = (await rows('select id from task_run order by id limit 3')).map((row) => String(row.id));
        for (const [index, id] of taskRuns.entries()) {
          await execute(dialect, url, 'update task_run set state_type = $1, tags = $2 where id = $3', [states[index], tagsJson(index === 1 ? ['db', 'x'] : ['db']), id]);
        }
        const holding = taskRuns.filter((_, index) => states[index] !== 'COMPLETED');
        if (tagLimitsAreGlobal(fixture)) {
          await execute(dialect, url, `update concurrency_limit_v2 set active_slots = 3 where name = 'tag:db'`);
        } else {
          await execute(dialect, url, 'update concurrency_limit set active_slots = $1 where tag = $2', [tagsJson([...taskRuns, randomUUID()]), 'db']);
        }
        const inspected = parseJson<Json & {active_task_runs: Json[]; active_slots: string[]}>(ok(await cli('concurrency-limit', 'inspect', 'db', '--json')));
        if (tagLimitsAreGlobal(fixture)) {
          expect(inspected.slots_in_use).to.equal(3);
          expect(inspected.active_slots).to.deep.equal(holding);
        } else {
          expect(inspected.slots_in_use).to.equal(taskRuns.length + 1);
          expect(inspected.active_task_runs.map((run) => run.state_type)).to.deep.equal([...states.slice(0, taskRuns.length), null]);
        }

        const before = await snapshotTables(dialect, url);
        ok(await cli('concurrency-limit', 'reset', 'db', '--stale', '--dry-run', '-q'));
        expect(await snapshotTables(dialect, url), 'dry run').to.deep.equal(before);
        const stale = parseJson<Json>(ok(await cli('concurrency-limit', 'reset', 'db', '--stale', '--yes', '--json')));
        expect(stale.slots_in_use).to.equal(holding.length);
        if (!tagLimitsAreGlobal(fixture)) {
          expect((await v1('db')).active_slots).to.deep.equal(storedJson(dialect, JSON.stringify(holding).replaceAll(',', ', '), holding));
        }
        const table = tagLimitsAreGlobal(fixture) ? 'concurrency_limit_v2' : 'concurrency_limit';
        expect(without(await snapshotTables(dialect, url), table)).to.deep.equal(without(before, table));
        const all = parseJson<Json>(ok(await cli('concurrency-limit', 'reset', 'db', '--yes', '--json')));
        expect(all.slots_in_use).to.equal(0);
        if (tagLimitsAreGlobal(fixture)) expect((await v2('tag:db')).active_slots).to.equal(0);
        else expect((await v1('db')).active_slots).to.deep.equal(storedJson(dialect, '[]', []));
      });

      it('global-concurrency-limit create / update / enable / disable write the row as Prefect does; active slots shown after decay', async () => {
        const before = await snapshotTables(dialect, url);
        const printed = parseJson<Json>(ok(await cli('global-concurrency-limit', 'create', 'api', '--limit', '10', '--slot-decay-per-second', '0.5', '--json')));
        expect(printed).to.deep.equal(parseJson(ok(await cli('global-concurrency-limit', 'inspect', 'api', '--json'))));
        const row = await v2('api');
        expect(row.id).to.match(UUID4);
        expect({...row, id: 0, created: 0, updated: 0}).to.deep.equal({
          id: 0, created: 0, updated: 0,
          active: storedBoolean(dialect, true), name: 'api', limit: 10, active_slots: 0, denied_slots: 0, slot_decay_per_second: 0.5, avg_slot_occupancy_seconds: 2,
        });
        expect(without(await snapshotTables(dialect, url), 'concurrency_limit_v2')).to.deep.equal(without(before, 'concurrency_limit_v2'));

        ok(await cli('global-concurrency-limit', 'update', 'api', '--limit', '12', '--active-slots', '3', '-q'));
        expect(await v2('api')).to.include({limit: 12, active_slots: 3});
        ok(await cli('global-concurrency-limit', 'disable', 'api', '--yes', '-q'));
        expect((await v2('api')).active).to.equal(storedBoolean(dialect, false));
        ok(await cli('global-concurrency-limit', 'enable', 'api', '-q'));
        expect((await v2('api')).active).to.equal(storedBoolean(dialect, true));

        // 10 slots taken 4 s ago, decaying 0.5 a second: Prefect reads 10 - floor(0.5 × 4.x) = 8.
        const fourSecondsAgo = new Date(Date.now() - 4000).toISOString();
        const stored = dialect === 'sqlite' ? fourSecondsAgo.replace('T', ' ').replace('Z', '000') : fourSecondsAgo;
        await execute(dialect, url, `update concurrency_limit_v2 set active_slots = 10, updated = $1 where name = 'api'`, [stored]);
        const decayed = parseJson<Json[]>(ok(await cli('global-concurrency-limit', 'ls', '--json'))).find((l) => l.name === 'api')!;
        expect(decayed.active_slots).to.equal(8);
      });

      it('global-concurrency-limit reset recomputes slots from the runs that hold them', async () => {
        const deployments = await rows('select id from deployment order by id limit 1');
        const deploymentId = String(deployments[0]?.id ?? randomUUID());
        const runs = await rows('select id from flow_run order by id limit 3');
        const states = ['PENDING', 'CANCELLING', 'COMPLETED'];
        for (const [index, run] of runs.entries()) {
          await execute(dialect, url, 'update flow_run set deployment_id = $1, state_type = $2 where id = $3', [deploymentId, states[index], run.id]);
        }
        const name = `deployment:${deploymentId}`;
        ok(await cli('global-concurrency-limit', 'create', name, '--limit', '5', '--active-slots', '5', '-q'));
        const reset = parseJson<Json>(ok(await cli('global-concurrency-limit', 'reset', name, '--yes', '--json')));
        expect(reset.active_slots).to.equal(Math.min(runs.length, 2));
        expect((await v2(name)).active_slots).to.equal(Math.min(runs.length, 2));
        ok(await cli('global-concurrency-limit', 'reset', 'api', '--yes', '-q'));
        expect((await v2('api')).active_slots, 'no holders recorded for a plain limit').to.equal(0);
      });

      it('deleting a limit removes only its row (a linked deployment keeps its row, its limit id NULLed)', async () => {
        const [deployment] = await rows('select * from deployment order by id limit 1');
        const linked = deployment && 'concurrency_limit_id' in deployment;
        const api = await v2('api');
        if (linked) await execute(dialect, url, 'update deployment set concurrency_limit_id = $1 where id = $2', [api.id, deployment.id]);
        const before = await snapshotTables(dialect, url);
        ok(await cli('global-concurrency-limit', 'delete', 'api', '--dry-run', '-q'));
        expect(await snapshotTables(dialect, url)).to.deep.equal(before);
        ok(await cli('global-concurrency-limit', 'delete', 'api', '--yes', '-q'));
        ok(await cli('concurrency-limit', 'delete', 'db', '--yes', '-q'));
        const after = await snapshotTables(dialect, url);
        expect(after.concurrency_limit_v2.map((r) => r.name)).to.not.include('api');
        expect([...after.concurrency_limit, ...after.concurrency_limit_v2].some((r) => r.tag === 'db' || r.name === 'tag:db')).to.equal(false);
        if (linked) expect(after.deployment).to.deep.equal(before.deployment.map((r) => (r.id === deployment.id ? {...r, concurrency_limit_id: null} : r)));
        expect(without(after, 'concurrency_limit', 'concurrency_limit_v2', 'deployment')).to.deep.equal(without(before, 'concurrency_limit', 'concurrency_limit_v2', 'deployment'));
      });

      it('bad input gives the documented exit code and leaves the database as it was', async () => {
        const hash = dialect === 'sqlite' ? fileHash(url) : '';
        const before = await snapshotTables(dialect, url);
        const cases: Array<[string[], number]> = [
          [['concurrency-limit', 'create', 'db', '-1'], 2],
          [['concurrency-limit', 'create', 'db', 'many'], 2],
          [['concurrency-limit', 'inspect', 'nope'], 3],
          [['concurrency-limit', 'reset', 'nope', '--yes'], 3],
          [['concurrency-limit', 'delete', 'nope', '--yes'], 3],
          [['global-concurrency-limit', 'create', 'a/b', '--limit', '1'], 2],
          [['global-concurrency-limit', 'create', 'x', '--limit', '-1'], 2],
          [['global-concurrency-limit', 'create', 'x', '--limit', '1', '--slot-decay-per-second', '-0.5'], 2],
          [['global-concurrency-limit', 'create', 'x', '--limit', '1', '--slot-decay-per-second', 'fast'], 2],
          [['global-concurrency-limit', 'update', 'nope', '--limit', '1'], 3],
          [['global-concurrency-limit', 'update', 'x'], 2],
          [['global-concurrency-limit', 'delete', 'nope', '--yes'], 3],
          [['concurrency-limit', 'create', 'dry', '3', '--dry-run'], 0],
          [['global-concurrency-limit', 'create', 'dry', '--limit', '3', '--dry-run'], 0],
        ];
        for (const [args, code] of cases) {
          const result = await cli(...args);
          expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).to.equal(code);
        }
        ok(await cli('global-concurrency-limit', 'create', 'dup', '--limit', '1', '-q'));
        const snapshot = await snapshotTables(dialect, url);
        const duplicate = await cli('global-concurrency-limit', 'create', 'dup', '--limit', '2');
        expect(duplicate.exitCode).to.equal(4);
        expect(duplicate.stderr).to.match(/already exists/);
        const unconfirmed = await cli('global-concurrency-limit', 'delete', 'dup');
        expect(unconfirmed.exitCode).to.equal(4);
        expect(await snapshotTables(dialect, url)).to.deep.equal(snapshot);
        expect(without(snapshot, 'concurrency_limit_v2')).to.deep.equal(without(before, 'concurrency_limit_v2'));
        if (dialect === 'sqlite') expect(hash).to.not.equal('');
      });
    });
  }
}
