import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {parseJson, runCli} from '../support/cli.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {loadFixtureIntoPostgres} from '../support/postgres-fixtures.js';
import {normalise, queryDb, type QueryRow} from '../support/query-db.js';

type Json = Record<string, unknown>;
const fixtureFor = (revision: string) => PREFECT_FIXTURES.find((name) => name.includes(revision))!;
const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const DEPLOYMENT = 'ingestion_flow/daily_btc_ingestion_flow';
const DEPLOYMENT_ID = '3f07fd3d-27ef-4c74-a2df-430a2b347266';
const OTHER_DEPLOYMENT_ID = '775688ad-fe6e-4dea-b057-fcb250d34bc5';
const COMPLETED_RUN = '78676d70-b7df-4e49-b00a-e3b52d050793';
const SCHEDULE_ID = 'eebc0f7e-d5eb-49c2-af58-2348d029e7c7';

async function json<T>(args: string[]): Promise<T> {
  const result = await runCli([...args, '--json']);
  expect(result.exitCode, result.stderr).to.equal(0);
  return parseJson<T>(result);
}

/** Every row of every table but those named, as text: what must stay byte-identical. */
function snapshotExcept(path: string, changed: readonly string[]): string {
  const sqlite = new Database(path, {readonly: true});
  try {
    const tables = (sqlite.prepare(`select name from sqlite_master where type = 'table' order by name`).pluck().all() as string[]).filter((t) => !changed.includes(t));
    return JSON.stringify(tables.map((t) => [t, sqlite.prepare(`select * from "${t}" order by rowid`).raw().all()]));
  } finally {
    sqlite.close();
  }
}

const runsOf = (db: string, deploymentId: string) => queryDb(db, 'select * from flow_run where deployment_id = ? order by expected_start_time', [deploymentId]);
const bool = (value: unknown) => value === true || value === 1;

/** The 3.x fixture with a parameter schema the deployment enforces. */
function withSchema(path: string): string {
  const sqlite = new Database(path);
  sqlite
    .prepare(`update deployment set parameter_openapi_schema = ?, parameters = '{"x": 1}' where id = ?`)
    .run('{"title": "Parameters", "type": "object", "properties": {"x": {"title": "x", "type": "integer", "position": 0}, "tag": {"type": "string"}}, "required": ["x"]}', DEPLOYMENT_ID);
  sqlite.close();
  return path;
}

for (const dialect of testDialects()) {
  describe(`deployment writes on the 3.x fixture [${dialect}]`, function () {
    this.timeout(120_000);
    let db: string;
    let sqlitePath: string;
    let drop: (() => Promise<void>) | undefined;

    beforeEach(async function () {
      sqlitePath = withSchema(copyFixture(fixtureFor('9e83011d1f2a')));
      if (dialect === 'postgres') {
        await requirePostgres(this);
        ({url: db, drop} = await loadFixtureIntoPostgres(sqlitePath));
      } else {
        db = sqlitePath;
      }
    });

    afterEach(async () => {
      await drop?.();
      drop = undefined;
      removeTempDirs();
    });

    it('run: a manual run as create_flow_run makes it, state forced through the engine, printed as flow-run inspect', async () => {
      const before = dialect === 'sqlite' ? snapshotExcept(sqlitePath, ['flow_run', 'flow_run_state']) : '';
      const printed = await json<Json>(['deployment', 'run', DEPLOYMENT, '--param', 'tag="a"', '--tag', 'manual', '--start-at', '2030-01-02T03:04:05Z', '--flow-run-name', 'by-hand-{tag}', '--db', db]);
      const inspected = await json<Json>(['flow-run', 'inspect', printed.id as string, '--db', db]);
      expect(printed).to.deep.equal(inspected);
      const [run] = await queryDb(db, 'select * from flow_run where id = ?', [printed.id]);
      expect(run.name).to.equal('by-hand-a');
      expect(normalise(run.parameters)).to.deep.equal({x: 1, tag: 'a'});
      expect(normalise(run.tags)).to.deep.equal(['manual']);
      expect(bool(run.auto_scheduled)).to.equal(false);
      expect(run.idempotency_key).to.equal(null);
      expect(normalise(run.expected_start_time)).to.equal('2030-01-02T03:04:05.000000Z');
      expect(normalise(run.next_scheduled_start_time)).to.equal('2030-01-02T03:04:05.000000Z');
      expect(normalise(run.labels)).to.deep.equal({'prefect.flow.id': run.flow_id, 'prefect.deployment.id': DEPLOYMENT_ID});
      expect(run.work_queue_id).to.equal('ef48fe5b-d33f-4fbf-bb13-c6dc8d1596d9');
      expect(run.deployment_version).to.equal('484a5155');
      expect(normalise(run.empirical_policy)).to.deep.equal({max_retries: 0, retry_delay_seconds: 0, retries: null, retry_delay: null, pause_keys: [], resuming: false, retry_type: null});
      const states = await queryDb(db, 'select * from flow_run_state where flow_run_id = ?', [run.id]);
      expect(states).to.have.length(1);
      const [state] = states;
      expect(run.state_id).to.equal(state.id);
      expect([state.type, state.name, state.message]).to.deep.equal(['SCHEDULED', 'Scheduled', null]);
      expect(normalise(run.state_timestamp)).to.equal(normalise(state.timestamp));
      const details = normalise(state.state_details) as Json;
      expect(details.flow_run_id).to.equal(run.id);
      expect(details.scheduled_time).to.equal('2030-01-02T03:04:05.000000Z');
      if (dialect === 'sqlite') expect(snapshotExcept(sqlitePath, ['flow_run', 'flow_run_state'])).to.equal(before);
    });

    it('run: parameters failing the enforced schema, bad JSON, unknown deployment → 2/2/3 and nothing written; --dry-run writes nothing', async () => {
      const count = async () => Number((await queryDb(db, 'select count(*) as n from flow_run'))[0].n);
      const before = await count();
      const hash = dialect === 'sqlite' ? fileHash(sqlitePath) : '';
      const bad = await runCli(['deployment', 'run', DEPLOYMENT, '--param', 'x="seven"', '--db', db]);
      expect(bad.exitCode).to.equal(2);
      expect(bad.stderr).to.match(/^Error: parameters do not match the deployment's schema: x must be integer/);
      expect((await runCli(['deployment', 'run', DEPLOYMENT, '--params', '{"x": ', '--db', db])).exitCode).to.equal(2);
      expect((await runCli(['deployment', 'run', 'ingestion_flow/nope', '--db', db])).exitCode).to.equal(3);
      expect((await runCli(['deployment', 'run', DEPLOYMENT, '--start-in', 'soon', '--db', db])).exitCode).to.equal(2);
      const dry = await runCli(['deployment', 'run', DEPLOYMENT, '--param', 'x=2', '--dry-run', '--db', db]);
      expect(dry.exitCode, dry.stderr).to.equal(0);
      expect(dry.stderr).to.match(/^Dry run: nothing was written; would create flow run/);
      expect(await count()).to.equal(before);
      if (dialect === 'sqlite') expect(fileHash(sqlitePath)).to.equal(hash);
    });

    it('pause deletes the auto-scheduled runs that never ran (Late ones too), keeps manual ones; resume only unpauses', async () => {
      await json(['deployment', 'schedule-runs', '--db', db]);
      const manual = await json<Json>(['deployment', 'run', DEPLOYMENT, '--start-in', '2h', '--db', db]);
      const refused = await runCli(['deployment', 'pause', DEPLOYMENT, '--db', db]);
      expect(refused.exitCode).to.equal(4);
      expect((await runsOf(db, DEPLOYMENT_ID)).filter((r) => bool(r.auto_scheduled)).length).to.be.greaterThan(3);
      const before = dialect === 'sqlite' ? snapshotExcept(sqlitePath, ['flow_run', 'flow_run_state', 'deployment']) : '';
      const paused = await json<Json>(['deployment', 'pause', DEPLOYMENT, '--yes', '--db', db]);
      expect(paused.paused).to.equal(true);
      expect((await runsOf(db, DEPLOYMENT_ID)).map((r) => r.id).sort()).to.deep.equal([COMPLETED_RUN, manual.id].sort());
      expect((await runsOf(db, OTHER_DEPLOYMENT_ID)).filter((r) => bool(r.auto_scheduled)).length).to.be.greaterThan(3);
      if (dialect === 'sqlite') expect(snapshotExcept(sqlitePath, ['flow_run', 'flow_run_state', 'deployment'])).to.equal(before);
      const resumed = await json<Json>(['deployment', 'resume', DEPLOYMENT, '--db', db]);
      expect(resumed.paused).to.equal(false);
      expect(Date.parse(resumed.updated as string)).to.be.greaterThan(Date.parse(paused.updated as string) - 1);
      expect(await runsOf(db, DEPLOYMENT_ID)).to.have.length(2);
    });

    it('schedule pause/resume clear only future auto-scheduled runs; schedule delete clears Late ones too; clear removes every schedule', async () => {
      await json(['deployment', 'schedule-runs', '--db', db]);
      const auto = async () => (await runsOf(db, DEPLOYMENT_ID)).filter((r) => bool(r.auto_scheduled)).length;
      expect(await auto()).to.equal(6); // 3 Late ones Prefect made in 2025 + 3 new
      const paused = await json<Json[]>(['deployment', 'schedule', 'pause', DEPLOYMENT, SCHEDULE_ID, '--yes', '--db', db]);
      expect(paused.map((s) => [s.id, s.active])).to.deep.equal([[SCHEDULE_ID, false]]);
      expect(await auto()).to.equal(3);
      const skipped = await json<Json[]>(['deployment', 'schedule-runs', DEPLOYMENT, '--db', db]);
      expect(skipped[0].skipped).to.equal('schedule is inactive');
      await json(['deployment', 'schedule', 'resume', DEPLOYMENT, SCHEDULE_ID.slice(0, 8), '--yes', '--db', db]);
      await json(['deployment', 'schedule-runs', DEPLOYMENT, '--db', db]);
      expect(await auto()).to.equal(6);
      const added = await json<Json[]>(['deployment', 'schedule', 'add', DEPLOYMENT, '--cron', '0 * * * *', '--slug', 'hourly', '--db', db]);
      await json(['deployment', 'schedule', 'delete', DEPLOYMENT, 'hourly', '--yes', '--db', db]);
      expect(await auto()).to.equal(0);
      expect((await queryDb(db, 'select id from deployment_schedule where id = ?', [added[0].id]))).to.have.length(0);
      const cleared = await json<Json[]>(['deployment', 'schedule', 'clear', DEPLOYMENT, '--yes', '--db', db]);
      expect(cleared.map((s) => s.id)).to.deep.equal([SCHEDULE_ID]);
      expect(await queryDb(db, 'select id from deployment_schedule where deployment_id = ?', [DEPLOYMENT_ID])).to.have.length(0);
      expect(await queryDb(db, 'select id from deployment_schedule where deployment_id = ?', [OTHER_DEPLOYMENT_ID])).to.have.length(1);
      expect((await runCli(['deployment', 'schedule', 'pause', DEPLOYMENT, 'no-such-slug', '--yes', '--db', db])).exitCode).to.equal(3);
    });

    it('update: columns and updated set, deployment limit row created, changed and removed, future auto-scheduled runs cleared', async () => {
      await json(['deployment', 'schedule-runs', '--db', db]);
      const updated = await json<Json>([
        'deployment', 'update', DEPLOYMENT, '--description', 'nightly', '--version', 'v2', '--tag', 'prod', '--tag', 'etl',
        '--param', 'x=5', '--job-variable', 'image="python:3.12"', '--concurrency-limit', '2', '--collision-strategy', 'CANCEL_NEW', '--yes', '--db', db,
      ]);
      expect([updated.description, updated.version, updated.tags, updated.parameters, updated.job_variables]).to.deep.equal(['nightly', 'v2', ['prod', 'etl'], {x: 5}, {image: 'python:3.12'}]);
      expect(updated.concurrency_options).to.deep.equal({collision_strategy: 'CANCEL_NEW', grace_period_seconds: null});
      const [limit] = await queryDb(db, 'select * from concurrency_limit_v2 where name = ?', [`deployment:${DEPLOYMENT_ID}`]);
      expect([limit.limit, Number(limit.active_slots), bool(limit.active), Number(limit.avg_slot_occupancy_seconds)]).to.deep.equal([2, 0, true, 2]);
      expect((await queryDb(db, 'select concurrency_limit, concurrency_limit_id from deployment where id = ?', [DEPLOYMENT_ID]))[0]).to.deep.equal({concurrency_limit: 2, concurrency_limit_id: limit.id});
      // Only the three Late runs Prefect made in 2025 are left (they are not in the future).
      expect((await runsOf(db, DEPLOYMENT_ID)).filter((r) => bool(r.auto_scheduled))).to.have.length(3);
      await json(['deployment', 'update', DEPLOYMENT, '--concurrency-limit', '4', '--db', db]);
      expect((await queryDb(db, 'select "limit" from concurrency_limit_v2 where id = ?', [limit.id]))[0].limit).to.equal(4);
      await json(['deployment', 'update', DEPLOYMENT, '--no-concurrency-limit', '--db', db]);
      expect(await queryDb(db, 'select id from concurrency_limit_v2')).to.have.length(0);
      const bad = await runCli(['deployment', 'update', DEPLOYMENT, '--param', 'x="text"', '--yes', '--db', db]);
      expect(bad.exitCode).to.equal(2);
      expect((await runCli(['deployment', 'update', DEPLOYMENT, '--work-pool', 'no-pool', '--yes', '--db', db])).exitCode).to.equal(3);
      expect((await runCli(['deployment', 'update', DEPLOYMENT, '--db', db])).exitCode).to.equal(2);
    });

    it('delete: scheduled runs (manual too), schedules and the deployment limit go; finished runs keep their deployment_id', async () => {
      await json(['deployment', 'update', DEPLOYMENT, '--concurrency-limit', '1', '--db', db]);
      await json(['deployment', 'run', DEPLOYMENT, '--db', db]);
      const dry = await runCli(['deployment', 'delete', DEPLOYMENT, '--dry-run', '--db', db]);
      expect(dry.stderr).to.match(/would delete ingestion_flow\/daily_btc_ingestion_flow, 4 scheduled runs and its concurrency limit/);
      expect(await runsOf(db, DEPLOYMENT_ID)).to.have.length(5);
      expect((await runCli(['deployment', 'delete', DEPLOYMENT, '--db', db])).exitCode).to.equal(4);
      await json(['deployment', 'delete', DEPLOYMENT, '--yes', '--db', db]);
      expect((await runsOf(db, DEPLOYMENT_ID)).map((r) => r.id)).to.deep.equal([COMPLETED_RUN]);
      expect(await queryDb(db, 'select id from deployment where id = ?', [DEPLOYMENT_ID])).to.have.length(0);
      expect(await queryDb(db, 'select id from deployment_schedule where deployment_id = ?', [DEPLOYMENT_ID])).to.have.length(0);
      expect(await queryDb(db, 'select id from concurrency_limit_v2')).to.have.length(0);
      expect(await runsOf(db, OTHER_DEPLOYMENT_ID)).to.have.length(4);
      expect((await runCli(['deployment', 'inspect', DEPLOYMENT, '--db', db])).exitCode).to.equal(3);
    });
  });

  describe(`deployment writes on older revisions [${dialect}]`, function () {
    this.timeout(120_000);

    async function open(context: Mocha.Context, revision: string, prepare?: (path: string) => void): Promise<{db: string; path: string; drop?: () => Promise<void>}> {
      const path = copyFixture(fixtureFor(revision));
      prepare?.(path);
      if (dialect === 'sqlite') return {db: path, path};
      await requirePostgres(context);
      const loaded = await loadFixtureIntoPostgres(path);
      return {db: loaded.url, path, drop: loaded.drop};
    }

    after(removeTempDirs);

    it('2.17 (824e9edafa60): pause/resume use `paused`, runs get v4 ids and no labels, schedule slugs are refused', async function () {
      const {db, drop} = await open(this, '824e9edafa60');
      try {
        const deployment = 'sample-async-etl/data-processing';
        expect((await json<Json>(['deployment', 'pause', deployment, '--yes', '--db', db])).paused).to.equal(true);
        expect(bool((await queryDb(db, 'select paused from deployment'))[0].paused)).to.equal(true);
        await json(['deployment', 'resume', deployment, '--db', db]);
        const run = await json<Json>(['deployment', 'run', deployment, '--db', db]);
        expect(run.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
        const [row] = await queryDb(db, 'select * from flow_run where id = ?', [run.id]);
        expect(row).to.not.have.property('labels');
        expect(row.state_type).to.equal('SCHEDULED');
        const slug = await runCli(['deployment', 'schedule', 'add', deployment, '--interval', '60', '--slug', 'x', '--db', db]);
        expect(slug.exitCode).to.equal(4);
        expect(slug.stderr).to.match(/slugs arrived with Prefect 3.2/);
        const added = await json<Json[]>(['deployment', 'schedule', 'add', deployment, '--interval', '60', '--db', db]);
        const lines = await json<Json[]>(['deployment', 'schedule-runs', deployment, '--db', db]);
        const keys = (await queryDb(db, 'select idempotency_key, created_by from flow_run where auto_scheduled = ?', [dialect === 'sqlite' ? 1 : true])).map((r: QueryRow) => r);
        expect(lines[0].schedule_id).to.equal(added[0].id);
        expect(keys.length).to.be.greaterThan(2);
        // Before 3.2 the key named only the deployment, and runs carried no created_by.
        for (const key of keys) {
          expect(key.idempotency_key).to.match(/^scheduled [0-9a-f-]{36} \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/);
          expect(key.created_by).to.equal(null);
        }
      } finally {
        await drop?.();
      }
    });

    it('2.13 (c2d001b7dd06): pause switches is_schedule_active off; schedules cannot be added', async function () {
      const legacyId = 'd0000000-0000-4000-8000-0000000000bb';
      const {db, drop} = await open(this, 'c2d001b7dd06', (path) => {
        const sqlite = new Database(path);
        const flowId = (sqlite.prepare('select id from flow').get() as {id: string}).id;
        sqlite
          .prepare(
            `insert into deployment (id, created, updated, name, schedule, is_schedule_active, tags, parameters, flow_id, infra_overrides)
             values (?, '2024-01-01 00:00:00.000000', '2024-01-01 00:00:00.000000', 'legacy', '{"interval": 3600.0, "anchor_date": "2024-01-01T00:00:00Z", "timezone": "UTC"}', 1, '[]', '{}', ?, '{}')`,
          )
          .run(legacyId, flowId);
        sqlite.close();
      });
      try {
        expect((await json<Json>(['deployment', 'pause', legacyId, '--yes', '--db', db])).paused).to.equal(true);
        expect(bool((await queryDb(db, 'select is_schedule_active from deployment'))[0].is_schedule_active)).to.equal(false);
        const refused = await runCli(['deployment', 'schedule', 'add', legacyId, '--interval', '60', '--db', db]);
        expect(refused.exitCode).to.equal(4);
        expect(refused.stderr).to.match(/predates deployment schedules/);
        await json(['deployment', 'resume', legacyId, '--db', db]);
        const lines = await json<Json[]>(['deployment', 'schedule-runs', legacyId, '--db', db]);
        expect(lines[0].created).to.be.greaterThan(2);
        const [row] = await queryDb(db, 'select idempotency_key from flow_run where auto_scheduled = ? limit 1', [dialect === 'sqlite' ? 1 : true]);
        expect(row.idempotency_key).to.match(new RegExp(`^scheduled ${legacyId} \\d{4}-\\d{2}-\\d{2} \\d{2}:00:00\\+00:00$`));
      } finally {
        await drop?.();
      }
    });
  });
}
