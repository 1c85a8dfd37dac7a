import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {parseJson, runCli} from '../support/cli.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {loadFixtureIntoPostgres} from '../support/postgres-fixtures.js';

// The contract's keys for a deployment, in order (Prefect's REST names, plus flow_name).
const DEPLOYMENT_KEYS = [
  'id', 'created', 'updated', 'name', 'version', 'description', 'flow_id', 'flow_name', 'paused', 'status', 'schedules',
  'concurrency_limit', 'global_concurrency_limit', 'concurrency_options', 'job_variables', 'parameters', 'tags', 'labels',
  'work_queue_name', 'work_pool_name', 'work_queue_id', 'last_polled', 'parameter_openapi_schema', 'path', 'pull_steps',
  'entrypoint', 'storage_document_id', 'infrastructure_document_id', 'created_by', 'updated_by', 'enforce_parameter_schema',
];
const SCHEDULE_KEYS = ['id', 'created', 'updated', 'deployment_id', 'schedule', 'active', 'max_scheduled_runs', 'parameters', 'slug'];

type Json = Record<string, unknown>;
type DeploymentJson = Json & {id: string; name: string; flow_name: string; schedules: Json[]};

const isoFromSqlite = (text: string | null) => (text === null ? null : text.replace(' ', 'T') + 'Z');
const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const columnsOf = (sqlite: Database.Database, table: string) =>
  new Set((sqlite.prepare('select name from pragma_table_info(?)').all(table) as Array<{name: string}>).map((c) => c.name));

/** What plain SQL says each deployment's JSON must hold, in `deployment ls` order. */
function readExpected(path: string): Json[] {
  const sqlite = new Database(path, {readonly: true});
  try {
    const columns = columnsOf(sqlite, 'deployment');
    const hasScheduleTable = columnsOf(sqlite, 'deployment_schedule').size > 0;
    const rows = sqlite
      .prepare(
        `select d.*, f.name as flow_name, wq.name as queue_name, wp.name as pool_name
           from deployment d join flow f on f.id = d.flow_id
           left join work_queue wq on wq.id = d.work_queue_id left join work_pool wp on wp.id = wq.work_pool_id
          order by f.name, d.name, d.id`,
      )
      .all() as Json[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      flow_name: row.flow_name,
      created: isoFromSqlite(row.created as string),
      updated: isoFromSqlite(row.updated as string),
      version: row.version,
      paused: columns.has('paused') ? row.paused === 1 : row.is_schedule_active === 0,
      tags: JSON.parse(row.tags as string),
      parameters: JSON.parse(row.parameters as string),
      job_variables: JSON.parse(row.infra_overrides as string),
      work_queue_id: row.work_queue_id,
      work_queue_name: row.queue_name ?? row.work_queue_name,
      work_pool_name: row.pool_name,
      entrypoint: row.entrypoint,
      last_polled: columns.has('last_polled') ? isoFromSqlite(row.last_polled as string | null) : null,
      concurrency_limit: row.concurrency_limit ?? null,
      schedule_ids: hasScheduleTable
        ? (sqlite.prepare('select id from deployment_schedule where deployment_id = ? order by updated desc, id').all(row.id) as Json[]).map((s) => s.id)
        : row.schedule
          ? [null]
          : [],
    }));
  } finally {
    sqlite.close();
  }
}

const sqliteTime = (millisAgo: number) => new Date(Date.now() - millisAgo).toISOString().replace('T', ' ').replace('Z', '000');

const EXTRA = {
  deploymentId: 'd0000000-0000-4000-8000-000000000001',
  limitId: 'c0000000-0000-4000-8000-000000000001',
  cronId: '50000000-0000-4000-8000-000000000001',
  rruleId: '50000000-0000-4000-8000-000000000002',
  intervalId: '50000000-0000-4000-8000-000000000003',
};

/**
 * Adds what the fixtures lack, as Prefect would store it: a paused, tagged deployment with
 * a deployment concurrency limit and cron (day_or=false), rrule and interval schedules.
 */
function addScheduledDeployment(path: string): void {
  const sqlite = new Database(path);
  try {
    const flowId = (sqlite.prepare(`select id from flow where name = 'ingestion_flow'`).get() as {id: string}).id;
    const created = sqliteTime(3_600_000);
    sqlite
      .prepare(
        `insert into concurrency_limit_v2 (id, created, updated, active, name, "limit", active_slots, denied_slots, slot_decay_per_second, avg_slot_occupancy_seconds)
         values (?, ?, ?, 1, ?, 2, 1, 0, 0.0, 600.0)`,
      )
      .run(EXTRA.limitId, created, created, `deployment:${EXTRA.deploymentId}`);
    sqlite
      .prepare(
        `insert into deployment (id, created, updated, name, tags, parameters, flow_id, infra_overrides, enforce_parameter_schema,
                                 paused, status, concurrency_limit, concurrency_limit_id, concurrency_options, labels, pull_steps)
         values (?, ?, ?, 'nightly', '["prod", "etl"]', '{"day": "mon"}', ?, '{"env": {"A": "1"}}', 1, 1, 'NOT_READY', 2, ?,
                 '{"collision_strategy": "ENQUEUE", "grace_period_seconds": null}', '{}', '[]')`,
      )
      .run(EXTRA.deploymentId, created, created, flowId, EXTRA.limitId);
    const insertSchedule = sqlite.prepare(
      `insert into deployment_schedule (id, created, updated, schedule, active, deployment_id, max_scheduled_runs, parameters, slug)
       values (?, ?, ?, ?, ?, ?, null, '{}', ?)`,
    );
    insertSchedule.run(EXTRA.cronId, created, sqliteTime(3_000_000), '{"cron": "0 0 13 * 5", "timezone": "America/New_York", "day_or": false}', 1, EXTRA.deploymentId, 'friday-13th');
    insertSchedule.run(EXTRA.rruleId, created, sqliteTime(2_000_000), '{"rrule": "DTSTART:20200101T090000\\nRRULE:FREQ=WEEKLY;BYDAY=MO", "timezone": "America/New_York"}', 0, EXTRA.deploymentId, null);
    insertSchedule.run(EXTRA.intervalId, created, sqliteTime(1_000_000), '{"interval": 3600.0, "anchor_date": "2025-01-01T00:00:00Z", "timezone": "UTC"}', 1, EXTRA.deploymentId, 'hourly');
  } finally {
    sqlite.close();
  }
}

/** Runs the CLI and parses its JSON, failing with stderr on a non-zero exit. */
async function jsonOf<T>(args: string[]): Promise<T> {
  const result = await runCli([...args, '--json']);
  expect(result.exitCode, result.stderr).to.equal(0);
  return parseJson<T>(result);
}

for (const fixture of PREFECT_FIXTURES) {
  describe(`deployment commands on ${fixture}`, () => {
    let sqlitePath: string;
    let expected: Json[];
    const sqliteOutput = new Map<string, unknown>();

    before(() => {
      sqlitePath = copyFixture(fixture);
      expected = readExpected(sqlitePath);
    });

    after(removeTempDirs);

    for (const dialect of testDialects()) {
      describe(dialect, () => {
        let db: string;
        let drop: (() => Promise<void>) | undefined;

        before(async function () {
          if (dialect === 'postgres') {
            await requirePostgres(this);
            ({url: db, drop} = await loadFixtureIntoPostgres(fixture));
          } else {
            db = sqlitePath;
          }
        });

        after(async () => drop?.());

        it('deployment ls --json lists every deployment as plain SQL sees it, with the contract keys', async () => {
          const before = dialect === 'sqlite' ? fileHash(sqlitePath) : '';
          const listed = await jsonOf<DeploymentJson[]>(['deployment', 'ls', '--db', db, '--all']);
          for (const deployment of listed) expect(Object.keys(deployment)).to.deep.equal(DEPLOYMENT_KEYS);
          const actual = listed.map((d) => {
            const subset: Json = {};
            for (const key of Object.keys(expected[0] ?? {})) if (key !== 'schedule_ids') subset[key] = d[key];
            return {...subset, schedule_ids: d.schedules.map((s) => s.id)};
          });
          expect(actual).to.deep.equal(expected);
          for (const schedule of listed.flatMap((d) => d.schedules)) expect(Object.keys(schedule)).to.deep.equal(SCHEDULE_KEYS);
          if (dialect === 'sqlite') expect(fileHash(sqlitePath), 'a read changed the database file').to.equal(before);
        });

        it('deployment inspect by FLOW/NAME and by id prefix gives the same record; -q prints the id', async () => {
          for (const deployment of expected) {
            const byName = await jsonOf<DeploymentJson>(['deployment', 'inspect', `${deployment.flow_name}/${deployment.name}`, '--db', db]);
            const byPrefix = await jsonOf<DeploymentJson>(['deployment', 'inspect', String(deployment.id).slice(0, 13), '--db', db]);
            expect(byPrefix).to.deep.equal(byName);
            expect(byName.id).to.equal(deployment.id);
            const quiet = await runCli(['deployment', 'inspect', String(deployment.id), '--db', db, '-q']);
            expect(quiet.stdout).to.equal(`${deployment.id}\n`);
          }
        });

        it('deployment schedule ls computes the next runs of every schedule', async () => {
          for (const deployment of expected) {
            const schedules = await jsonOf<Json[]>(['deployment', 'schedule', 'ls', String(deployment.id), '--db', db, '--from', '2026-01-01T00:00:00Z', '--next', '2']);
            expect(schedules.map((s) => s.id)).to.deep.equal(deployment.schedule_ids);
            for (const schedule of schedules) expect(schedule.next_run_times).to.have.length(2);
          }
        });

        it('PostgreSQL output equals SQLite output', async function () {
          // One at a time: runCli captures the process's stdout.
          const outputs = [await jsonOf(['deployment', 'ls', '--db', db, '--all'])];
          for (const d of expected) {
            outputs.push(await jsonOf(['deployment', 'schedule', 'ls', String(d.id), '--db', db, '--from', '2026-01-01']));
            outputs.push(await jsonOf(['deployment', 'inspect', String(d.id), '--db', db]));
          }
          if (dialect === 'sqlite') sqliteOutput.set('all', outputs);
          else if (sqliteOutput.has('all')) expect(outputs).to.deep.equal(sqliteOutput.get('all'));
          else this.skip();
        });

        it('bad input: unknown deployment → 3, malformed reference → 2, bad --next or --sort → 2', async () => {
          const missing = await runCli(['deployment', 'inspect', 'no-flow/no-deployment', '--db', db]);
          expect(missing.exitCode).to.equal(3);
          expect(missing.stderr).to.equal('Error: no deployment "no-deployment" of flow "no-flow"\n');
          const malformed = await runCli(['deployment', 'inspect', 'just-a-name', '--db', db]);
          expect(malformed.exitCode).to.equal(2);
          expect(malformed.stderr).to.match(/^Error: invalid deployment "just-a-name": give FLOW\/DEPLOYMENT/);
          expect((await runCli(['deployment', 'schedule', 'ls', 'a/b', '--next', '-1', '--db', db])).exitCode).to.equal(2);
          expect((await runCli(['deployment', 'schedule', 'ls', 'a/b', '--next', 'many', '--db', db])).exitCode).to.equal(2);
          const sort = await runCli(['deployment', 'ls', '--sort', 'colour', '--db', db]);
          expect(sort.exitCode).to.equal(2);
          expect(sort.stderr).to.match(/^Error: unknown sort field "colour"/);
        });
      });
    }
  });
}

describe('deployment commands on a 3.x database with cron, rrule and interval schedules added', () => {
  let sqlitePath: string;
  const fixture = PREFECT_FIXTURES.find((name) => name.includes('9e83011d1f2a'))!;

  before(() => {
    sqlitePath = copyFixture(fixture);
    addScheduledDeployment(sqlitePath);
  });

  after(removeTempDirs);

  for (const dialect of testDialects()) {
    describe(dialect, () => {
      let db: string;
      let drop: (() => Promise<void>) | undefined;

      before(async function () {
        if (dialect === 'postgres') {
          await requirePostgres(this);
          ({url: db, drop} = await loadFixtureIntoPostgres(sqlitePath));
        } else {
          db = sqlitePath;
        }
      });

      after(async () => drop?.());

      it('inspect shows schedules newest-updated first, the deployment limit and its concurrency_limit_v2 row', async () => {
        const deployment = await jsonOf<DeploymentJson>(['deployment', 'inspect', 'ingestion_flow/nightly', '--db', db]);
        expect(deployment.paused).to.equal(true);
        expect(deployment.tags).to.deep.equal(['prod', 'etl']);
        expect(deployment.job_variables).to.deep.equal({env: {A: '1'}});
        expect(deployment.concurrency_limit).to.equal(2);
        expect(deployment.global_concurrency_limit).to.deep.include({id: EXTRA.limitId, name: `deployment:${EXTRA.deploymentId}`, limit: 2, active_slots: 1, active: true});
        expect(deployment.concurrency_options).to.deep.equal({collision_strategy: 'ENQUEUE', grace_period_seconds: null});
        expect(deployment.schedules.map((s) => [s.id, s.active, s.slug])).to.deep.equal([
          [EXTRA.intervalId, true, 'hourly'],
          [EXTRA.rruleId, false, null],
          [EXTRA.cronId, true, 'friday-13th'],
        ]);
        expect(deployment.work_pool_name).to.equal(null);
      });

      it('schedule ls renders and computes cron (day_or=false), rrule and interval schedules in their time zones', async () => {
        const schedules = await jsonOf<Array<Json & {next_run_times: string[]; description: string}>>([
          'deployment', 'schedule', 'ls', 'ingestion_flow/nightly', '--db', db, '--from', '2025-03-01T00:00:00Z', '--next', '3',
        ]);
        const byId = new Map(schedules.map((s) => [s.id, s]));
        // Friday the 13th at midnight New York: June 2025 (EDT), February 2026 (EST), March 2026 (EDT).
        expect(byId.get(EXTRA.cronId)!.next_run_times).to.deep.equal(['2025-06-13T04:00:00.000000Z', '2026-02-13T05:00:00.000000Z', '2026-03-13T04:00:00.000000Z']);
        expect(byId.get(EXTRA.cronId)!.description).to.match(/AND day of week/);
        // Mondays 09:00 New York, across the 9 March DST change.
        expect(byId.get(EXTRA.rruleId)!.next_run_times).to.deep.equal(['2025-03-03T14:00:00.000000Z', '2025-03-10T13:00:00.000000Z', '2025-03-17T13:00:00.000000Z']);
        expect(byId.get(EXTRA.rruleId)!.description).to.match(/^every week on Monday/);
        expect(byId.get(EXTRA.intervalId)!.next_run_times).to.deep.equal(['2025-03-01T00:00:00.000000Z', '2025-03-01T01:00:00.000000Z', '2025-03-01T02:00:00.000000Z']);
        expect(byId.get(EXTRA.intervalId)!.description).to.equal('every 1 hour from 2025-01-01 00:00:00+00:00 (UTC)');

        const table = await runCli(['deployment', 'schedule', 'ls', 'ingestion_flow/nightly', '--db', db, '--from', '2025-03-01T00:00:00Z', '--next', '1']);
        expect(table.stdout).to.contain('2025-06-13 00:00:00-04:00');
        expect(table.stderr).to.contain('the deployment is paused');
      });

      it('ls shows each deployment\'s schedules in words and its next run (none while paused)', async () => {
        const table = await runCli(['deployment', 'ls', '--db', db, '--absolute', '--columns', 'name,schedules,next_run']);
        expect(table.exitCode, table.stderr).to.equal(0);
        expect(table.stdout).to.contain('every 1 hour from 2025-01-01 00:00:00+00:00 (UTC)');
        expect(table.stdout).to.contain('every week on Monday at 09:00 (inactive)');
        const daily = table.stdout.split('\n').find((line) => line.startsWith('ingestion_flow/daily_btc_ingestion_flow'))!;
        expect(daily).to.contain('every 1 day from 2025-11-10 21:06:12+00:00 (UTC)');
        // The next daily run is at the anchor's time of day, within a day from now.
        const next = /(\d{4}-\d\d-\d\dT21:06:12\.895082Z)/.exec(daily)![1];
        expect(Date.parse(next) - Date.now()).to.be.within(0, 86_400_000);
        const nightly = table.stdout.split('\n').find((line) => line.startsWith('ingestion_flow/nightly'))!;
        expect(nightly).not.to.match(/\d{4}-\d\d-\d\dT/);
      });

      it('ls filters by flow name, work pool, tag and paused', async () => {
        const names = async (...flags: string[]) =>
          (await jsonOf<DeploymentJson[]>(['deployment', 'ls', '--db', db, ...flags])).map((d) => `${d.flow_name}/${d.name}`);
        expect(await names('--tag', 'prod')).to.deep.equal(['ingestion_flow/nightly']);
        expect(await names('--paused')).to.deep.equal(['ingestion_flow/nightly']);
        expect(await names('--no-paused')).to.deep.equal(['ingestion_flow/daily_btc_ingestion_flow', 'transform-flow/daily_data_transformation']);
        expect(await names('--flow-name', 'ingestion_flow')).to.deep.equal(['ingestion_flow/daily_btc_ingestion_flow', 'ingestion_flow/nightly']);
        expect(await names('--work-pool', 'bit-scope_local_pool')).to.have.length(2);
        expect(await names('--sort', 'created')).to.deep.equal(['ingestion_flow/nightly', 'transform-flow/daily_data_transformation', 'ingestion_flow/daily_btc_ingestion_flow']);
        const cut = await runCli(['deployment', 'ls', '--db', db, '--limit', '1', '-q']);
        expect(cut.stdout.trim().split('\n')).to.have.length(1);
      });
    });
  }
});

describe('deployment commands on a 2.13 database (before deployment_schedule) with a legacy schedule added', () => {
  let sqlitePath: string;
  const fixture = PREFECT_FIXTURES.find((name) => name.includes('c2d001b7dd06'))!;
  const legacyId = 'd0000000-0000-4000-8000-0000000000aa';

  before(() => {
    sqlitePath = copyFixture(fixture);
    const sqlite = new Database(sqlitePath);
    const flowId = (sqlite.prepare('select id from flow').get() as {id: string}).id;
    const created = sqliteTime(60_000);
    // Prefect 2.13 kept one schedule on the row, switched off by is_schedule_active.
    sqlite
      .prepare(
        `insert into deployment (id, created, updated, name, schedule, is_schedule_active, tags, parameters, flow_id, infra_overrides)
         values (?, ?, ?, 'legacy', '{"cron": "0 9 * * *", "timezone": "Europe/Paris", "day_or": true}', 0, '[]', '{}', ?, '{}')`,
      )
      .run(legacyId, created, created, flowId);
    sqlite.close();
  });

  after(removeTempDirs);

  for (const dialect of testDialects()) {
    it(`${dialect}: shows deployment.schedule as one schedule without an id, and an inactive schedule as paused`, async function () {
      let db = sqlitePath;
      let drop: (() => Promise<void>) | undefined;
      if (dialect === 'postgres') {
        await requirePostgres(this);
        ({url: db, drop} = await loadFixtureIntoPostgres(sqlitePath));
      }
      try {
        const deployment = await jsonOf<DeploymentJson>(['deployment', 'inspect', legacyId, '--db', db]);
        expect(deployment.paused).to.equal(true);
        expect(deployment.schedules).to.deep.equal([
          {
            id: null, created: null, updated: null, deployment_id: legacyId,
            schedule: {cron: '0 9 * * *', timezone: 'Europe/Paris', day_or: true},
            active: false, max_scheduled_runs: null, parameters: null, slug: null,
          },
        ]);
        const schedules = await jsonOf<Array<{next_run_times: string[]}>>(['deployment', 'schedule', 'ls', legacyId, '--db', db, '--from', '2025-07-01T00:00:00Z', '--next', '1']);
        expect(schedules[0].next_run_times).to.deep.equal(['2025-07-01T07:00:00.000000Z']);
        expect(await jsonOf<unknown[]>(['deployment', 'ls', '--paused', '--db', db])).to.have.length(1);
      } finally {
        await drop?.();
      }
    });
  }
});
