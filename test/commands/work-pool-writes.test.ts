import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {expect} from 'chai';

import type {Dialect} from '../../src/db/dialect.js';
import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs, tempDir} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {
  ageMillis,
  execute,
  fileHash,
  isStoredTimestamp,
  type RawRow,
  readRows,
  snapshotTables,
  storedBoolean,
  storedJson,
  UUID4,
  UUID7,
  without,
} from '../support/table-rows.js';

type Json = Record<string, unknown>;

const TEMPLATE = {job_configuration: {command: '{{ command }}', env: '{{ env }}'}, variables: {properties: {command: {type: 'string'}, env: {type: 'object'}}}};
// The same template as Python's json.dumps writes it on SQLite.
const TEMPLATE_TEXT =
  '{"job_configuration": {"command": "{{ command }}", "env": "{{ env }}"}, "variables": {"properties": {"command": {"type": "string"}, "env": {"type": "object"}}}}';
const STORAGE_TEXT = '{"bundle_upload_step": null, "bundle_execution_step": null, "default_result_storage_block_id": null}';
const STORAGE = {bundle_upload_step: null, bundle_execution_step: null, default_result_storage_block_id: null};

function ok(result: CliResult): CliResult {
  expect(result.exitCode, result.stderr).to.equal(0);
  return result;
}

/** Columns present in the row: an older revision simply has fewer. */
function pick(row: RawRow, expected: RawRow): RawRow {
  return Object.fromEntries(Object.keys(expected).filter((key) => key in row).map((key) => [key, row[key]]));
}

/** The expected values of the columns the row has. */
function present(row: RawRow, expected: RawRow): RawRow {
  return Object.fromEntries(Object.entries(expected).filter(([key]) => key in row));
}

function expectFresh(dialect: Dialect, row: RawRow, ...columns: string[]): void {
  for (const column of columns) {
    expect(isStoredTimestamp(dialect, row[column]), `${column} ${String(row[column])}`).to.equal(true);
    expect(ageMillis(dialect, row[column])).to.be.within(-1000, 120_000);
  }
}

for (const fixture of PREFECT_FIXTURES) {
  for (const dialect of testDialects()) {
    describe(`work-pool and work-queue writes on ${fixture} (${dialect})`, () => {
      let url: string;
      let drop: () => Promise<void>;
      let templateFile: string;
      const cli = (...args: string[]) => runCli([...args, '--db', url]);
      const rows = (sql: string, params: unknown[] = []) => readRows(dialect, url, sql, params);
      const pool = async (name: string) => (await rows('select * from work_pool where name = $1', [name]))[0];
      const queues = async (poolId: unknown) => rows('select * from work_queue where work_pool_id = $1 order by priority, name', [poolId]);
      const hasStatus = async () => 'status' in (await rows('select * from work_queue'))[0];

      before(async function () {
        ({url, drop} = await fixtureDatabase(this, dialect, fixture));
        templateFile = path.join(tempDir(), 'template.json');
        writeFileSync(templateFile, JSON.stringify(TEMPLATE));
      });
      after(async () => {
        await drop?.();
        removeTempDirs();
      });

      it('work-pool create writes the pool and its default queue as Prefect does, prints it as inspect does, touches nothing else', async () => {
        const before = await snapshotTables(dialect, url);
        const created = ok(
          await cli('work-pool', 'create', 'gpu', '--type', 'docker', '--concurrency-limit', '3', '--description', 'GPU jobs', '--base-job-template', templateFile, '--json'),
        );
        const printed = parseJson<Json>(created);
        expect(printed).to.deep.equal(parseJson(ok(await cli('work-pool', 'inspect', 'gpu', '--json'))));
        const row = await pool('gpu');
        const [queue] = await queues(row.id);
        expect(row.id).to.match(UUID4);
        expect(queue.id).to.match(UUID4);
        expectFresh(dialect, row, 'created', 'updated');
        expectFresh(dialect, queue, 'created', 'updated');
        const expectedPool: RawRow = {
          name: 'gpu',
          description: 'GPU jobs',
          type: 'docker',
          base_job_template: storedJson(dialect, TEMPLATE_TEXT, TEMPLATE),
          is_paused: storedBoolean(dialect, false),
          concurrency_limit: 3,
          default_queue_id: queue.id,
          status: 'NOT_READY',
          last_transitioned_status_at: null,
          last_status_event_id: null,
          storage_configuration: storedJson(dialect, STORAGE_TEXT, STORAGE),
        };
        expect(pick(row, expectedPool)).to.deep.equal(present(row, expectedPool));
        const expectedQueue: RawRow = {
          name: 'default',
          filter: null,
          description: "The work pool's default queue.",
          is_paused: storedBoolean(dialect, false),
          concurrency_limit: null,
          last_polled: null,
          priority: 1,
          work_pool_id: row.id,
          status: 'NOT_READY',
        };
        expect(pick(queue, expectedQueue)).to.deep.equal(present(queue, expectedQueue));
        const after = await snapshotTables(dialect, url);
        expect(without(after, 'work_pool', 'work_queue')).to.deep.equal(without(before, 'work_pool', 'work_queue'));
        expect(after.work_pool.filter((r) => r.name !== 'gpu')).to.deep.equal(before.work_pool);
        expect(after.work_queue.filter((r) => r.work_pool_id !== row.id)).to.deep.equal(before.work_queue);
      });

      it('work-pool create --paused stores status PAUSED', async () => {
        ok(await cli('work-pool', 'create', 'held', '--type', 'process', '--paused', '-q'));
        const row = await pool('held');
        expect(row.is_paused).to.equal(storedBoolean(dialect, true));
        if ('status' in row) expect(row.status).to.equal('PAUSED');
        expect(row.base_job_template).to.deep.equal(storedJson(dialect, '{}', {}));
      });

      it('work-queue create keeps priorities as Prefect does: first gap, collisions shift later queues, deletes leave gaps', async () => {
        const poolId = (await pool('gpu')).id;
        const defaultBefore = (await queues(poolId))[0];
        const high = parseJson<Json>(ok(await cli('work-queue', 'create', 'high', '--pool', 'gpu', '--priority', '1', '--concurrency-limit', '2', '--json')));
        expect(high).to.deep.equal(parseJson(ok(await cli('work-queue', 'inspect', 'gpu/high', '--json'))));
        ok(await cli('work-queue', 'create', 'mid', '--pool', 'gpu', '-q'));
        ok(await cli('work-queue', 'create', 'low', '--pool', 'gpu', '--priority', '7', '--description', 'batch', '-q'));
        const order = async () => (await queues(poolId)).map((q) => [q.name, q.priority]);
        expect(await order()).to.deep.equal([['high', 1], ['default', 2], ['mid', 3], ['low', 7]]);
        const defaultAfter = (await queues(poolId)).find((q) => q.name === 'default')!;
        expect(defaultAfter.updated, 'a shifted queue has its updated bumped').to.not.deep.equal(defaultBefore.updated);
        const highRow = (await queues(poolId))[0];
        expect(pick(highRow, {concurrency_limit: 0, description: '', is_paused: 0})).to.deep.equal({concurrency_limit: 2, description: '', is_paused: storedBoolean(dialect, false)});

        ok(await cli('work-queue', 'delete', 'gpu/mid', '--yes', '-q'));
        expect(await order()).to.deep.equal([['high', 1], ['default', 2], ['low', 7]]);
        const highBefore = (await queues(poolId))[0];
        ok(await cli('work-queue', 'update', 'low', '--pool', 'gpu', '--priority', '2', '-q'));
        expect(await order()).to.deep.equal([['high', 1], ['low', 2], ['default', 3]]);
        expect((await queues(poolId))[0], 'a queue the move did not touch keeps its row').to.deep.equal(highBefore);
      });

      it('work-queue pause / resume / set- and clear-concurrency-limit write the columns Prefect writes', async () => {
        const poolId = (await pool('gpu')).id;
        const low = async () => (await queues(poolId)).find((q) => q.name === 'low')!;
        ok(await cli('work-queue', 'pause', 'gpu/low', '--yes', '-q'));
        expect((await low()).is_paused).to.equal(storedBoolean(dialect, true));
        if (await hasStatus()) expect((await low()).status).to.equal('PAUSED');
        ok(await cli('work-queue', 'resume', 'gpu/low', '-q'));
        expect((await low()).is_paused).to.equal(storedBoolean(dialect, false));
        if (await hasStatus()) expect((await low()).status, 'never polled: NOT_READY').to.equal('NOT_READY');
        ok(await cli('work-queue', 'set-concurrency-limit', 'gpu/low', '4', '-q'));
        expect((await low()).concurrency_limit).to.equal(4);
        ok(await cli('work-queue', 'clear-concurrency-limit', 'gpu/low', '--yes', '-q'));
        expect((await low()).concurrency_limit).to.equal(null);
        ok(await cli('work-queue', 'update', 'gpu/low', '--name', 'bulk', '--description', 'nightly', '-q'));
        expect(pick((await queues(poolId)).find((q) => q.name === 'bulk')!, {description: ''})).to.deep.equal({description: 'nightly'});
      });

      it('work-pool pause / resume / update / set- and clear-concurrency-limit write what Prefect writes', async () => {
        const paused = parseJson<Json>(ok(await cli('work-pool', 'pause', 'gpu', '--yes', '--json')));
        expect(paused.is_paused).to.equal(true);
        let row = await pool('gpu');
        expect(row.is_paused).to.equal(storedBoolean(dialect, true));
        if ('status' in row) expect(row.status).to.equal('PAUSED');
        if ('last_status_event_id' in row) {
          expect(row.last_status_event_id).to.match(UUID7);
          expectFresh(dialect, row, 'last_transitioned_status_at');
        }
        ok(await cli('work-pool', 'resume', 'gpu', '-q'));
        row = await pool('gpu');
        expect(row.is_paused).to.equal(storedBoolean(dialect, false));
        if ('status' in row) expect(row.status, 'no worker online').to.equal('NOT_READY');
        ok(await cli('work-pool', 'update', 'gpu', '--description', 'renamed', '--concurrency-limit', '9', '-q'));
        expect(pick(await pool('gpu'), {description: '', concurrency_limit: 0})).to.deep.equal({description: 'renamed', concurrency_limit: 9});
        ok(await cli('work-pool', 'set-concurrency-limit', 'gpu', '0', '-q'));
        expect((await pool('gpu')).concurrency_limit).to.equal(0);
        ok(await cli('work-pool', 'clear-concurrency-limit', 'gpu', '--yes', '-q'));
        expect((await pool('gpu')).concurrency_limit).to.equal(null);
      });

      // Only the 3.x fixture has a worker, stored ONLINE by its last heartbeat.
      if (fixture.includes('9e83011d1f2a')) it('resuming a pool whose stored worker status is ONLINE sets READY, as Prefect reads that column', async () => {
        const [worker] = await rows("select * from worker where status = 'ONLINE'");
        const poolName = String((await rows('select name from work_pool where id = $1', [worker.work_pool_id]))[0].name);
        ok(await cli('work-pool', 'pause', poolName, '--yes', '-q'));
        ok(await cli('work-pool', 'resume', poolName, '-q'));
        expect((await pool(poolName)).status).to.equal('READY');
      });

      it('--dry-run writes nothing and prints what the change would give', async () => {
        const hash = dialect === 'sqlite' ? fileHash(url) : '';
        const before = await snapshotTables(dialect, url);
        const preview = parseJson<Json>(ok(await cli('work-pool', 'create', 'ghost', '--type', 'process', '--dry-run', '--json')));
        expect(preview.name).to.equal('ghost');
        ok(await cli('work-queue', 'create', 'ghost-q', '--pool', 'gpu', '--priority', '1', '--dry-run', '-q'));
        ok(await cli('work-pool', 'pause', 'gpu', '--dry-run', '-q'));
        ok(await cli('work-queue', 'delete', 'gpu/bulk', '--dry-run', '-q'));
        ok(await cli('work-pool', 'delete', 'gpu', '--dry-run', '-q'));
        expect(await snapshotTables(dialect, url)).to.deep.equal(before);
        if (dialect === 'sqlite') expect(fileHash(url), 'the SQLite file changed').to.equal(hash);
      });

      it('bad input gives the documented exit code and leaves the database as it was', async () => {
        const before = await snapshotTables(dialect, url);
        const bad = path.join(tempDir(), 'bad.json');
        writeFileSync(bad, '{"job_configuration": ');
        const incomplete = path.join(tempDir(), 'incomplete.json');
        writeFileSync(incomplete, JSON.stringify({job_configuration: {command: '{{ cmd }}'}, variables: {properties: {}}}));
        const cases: Array<[string[], number, RegExp]> = [
          [['work-pool', 'create', 'gpu', '--type', 'docker'], 4, /already exists/],
          [['work-pool', 'create', 'Prefect-managed', '--type', 'docker'], 4, /reserved/],
          [['work-pool', 'create', 'a/b', '--type', 'docker'], 2, /may not contain/],
          [['work-pool', 'create', 'x', '--type', 'docker', '--base-job-template', bad], 2, /not valid JSON/],
          [['work-pool', 'create', 'x', '--type', 'docker', '--base-job-template', incomplete], 2, /undeclared variable\(s\): cmd/],
          [['work-pool', 'create', 'x', '--type', 'docker', '--concurrency-limit', '-1'], 2, /(?:)/],
          [['work-pool', 'update', 'gpu'], 2, /nothing to change/],
          [['work-pool', 'pause', 'no-such-pool', '--yes'], 3, /no work pool named "no-such-pool"/],
          [['work-pool', 'delete', 'gpu'], 4, /--yes/],
          [['work-queue', 'create', 'q', '--pool', 'no-such-pool'], 3, /no work pool named/],
          [['work-queue', 'create', 'high', '--pool', 'gpu'], 4, /already exists/],
          [['work-queue', 'create', 'q', '--pool', 'gpu', '--priority', '0'], 2, /(?:)/],
          [['work-queue', 'delete', 'gpu/default', '--yes'], 4, /default queue and cannot be deleted/],
          [['work-queue', 'update', 'gpu/high', '--name', 'default'], 4, /already exists/],
          [['work-queue', 'pause', 'gpu/nope', '--yes'], 3, /no work queue "nope"/],
          [['work-queue', 'set-concurrency-limit', 'gpu/high', '-1'], 2, /(?:)/],
        ];
        for (const [args, code, message] of cases) {
          const result = await cli(...args);
          expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).to.equal(code);
          expect(result.stderr, args.join(' ')).to.match(message);
        }
        expect(await snapshotTables(dialect, url)).to.deep.equal(before);
      });

      it('pools named "prefect…" may only be paused, resumed or limited, and never deleted (the API answers 403)', async () => {
        const created = dialect === 'sqlite' ? new Date().toISOString().replace('T', ' ').replace('Z', '000') : new Date().toISOString();
        await execute(dialect, url, `insert into work_pool (id, created, updated, name, type, base_job_template, is_paused) values ($1, $2, $3, 'prefect-managed', 'prefect:managed', '{}', $4)`, [
          'c0000000-0000-4000-8000-000000000001', created, created, storedBoolean(dialect, false),
        ]);
        const before = await snapshotTables(dialect, url);
        for (const args of [['delete', '--yes'], ['update', '--description', 'x']]) {
          const result = await cli('work-pool', args[0], 'prefect-managed', ...args.slice(1));
          expect(result.exitCode, result.stderr).to.equal(4);
          expect(result.stderr).to.match(/reserved/);
        }
        expect(await snapshotTables(dialect, url)).to.deep.equal(before);
        ok(await cli('work-pool', 'set-concurrency-limit', 'prefect-managed', '2', '-q'));
        expect((await pool('prefect-managed')).concurrency_limit).to.equal(2);
      });

      it('work-pool delete cascades to its queues, sets runs’ and deployments’ queue ids to NULL, and leaves the rest', async () => {
        const poolRow = await pool('gpu');
        const queueId = (await queues(poolRow.id))[0].id;
        const [run] = await rows('select id from flow_run order by id limit 1');
        await execute(dialect, url, 'update flow_run set work_queue_id = $1 where id = $2', [queueId, run.id]);
        const [deployment] = await rows('select id from deployment order by id limit 1');
        if (deployment) await execute(dialect, url, 'update deployment set work_queue_id = $1 where id = $2', [queueId, deployment.id]);
        const before = await snapshotTables(dialect, url);
        const printed = parseJson<Json>(ok(await cli('work-pool', 'delete', 'gpu', '--yes', '--json')));
        expect(printed.id).to.equal(poolRow.id);
        const after = await snapshotTables(dialect, url);
        expect(after.work_pool.map((r) => r.id)).to.deep.equal(before.work_pool.filter((r) => r.id !== poolRow.id).map((r) => r.id));
        expect(after.work_queue).to.deep.equal(before.work_queue.filter((r) => r.work_pool_id !== poolRow.id));
        const nulled = (rowsOf: RawRow[], id: unknown) => rowsOf.map((r) => (r.id === id ? {...r, work_queue_id: null} : r));
        expect(after.flow_run, 'only the queue id is cleared, updated untouched').to.deep.equal(nulled(before.flow_run, run.id));
        if (deployment) expect(after.deployment).to.deep.equal(nulled(before.deployment, deployment.id));
        expect(without(after, 'work_pool', 'work_queue', 'flow_run', 'deployment')).to.deep.equal(without(before, 'work_pool', 'work_queue', 'flow_run', 'deployment'));
      });
    });
  }
}
