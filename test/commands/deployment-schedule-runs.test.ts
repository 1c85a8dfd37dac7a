import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

import {expect} from 'chai';
import {DateTime} from 'luxon';

import {parseJson, runCli} from '../support/cli.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {loadFixtureIntoPostgres} from '../support/postgres-fixtures.js';
import {normalise, queryDb, type QueryRow} from '../support/query-db.js';

type Json = Record<string, unknown>;
const FIXTURE = PREFECT_FIXTURES.find((name) => name.includes('9e83011d1f2a'))!;
const DEPLOYMENT = 'ingestion_flow/daily_btc_ingestion_flow';
const DEPLOYMENT_ID = '3f07fd3d-27ef-4c74-a2df-430a2b347266';
// A window across both DST changes of 2026: New York 8 March, Paris 29 March.
const WINDOW = ['--start', '2026-03-01T00:00:00Z', '--end', '2026-04-05T00:00:00Z'];
const WINDOW_END = '2026-04-05T00:00:00.000000Z';
const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The schedules the tests add: interval, cron with day_or both ways, rrule, in zones that change for DST. */
const SCHEDULES: Array<{slug: string; flags: string[]; zone: string}> = [
  {slug: 'ny-interval', flags: ['--interval', '5400', '--anchor-date', '2026-02-01T00:00:00Z', '--timezone', 'America/New_York'], zone: 'America/New_York'},
  {slug: 'ny-cron', flags: ['--cron', '30 2 * * *', '--timezone', 'America/New_York'], zone: 'America/New_York'},
  {slug: 'paris-and', flags: ['--cron', '0 12 1-7 * 1', '--no-day-or', '--timezone', 'Europe/Paris'], zone: 'Europe/Paris'},
  {slug: 'paris-or', flags: ['--cron', '0 12 1-7 * 1', '--day-or', '--timezone', 'Europe/Paris'], zone: 'Europe/Paris'},
  {slug: 'paris-rrule', flags: ['--rrule', 'FREQ=HOURLY;INTERVAL=7;BYMINUTE=15', '--timezone', 'Europe/Paris'], zone: 'Europe/Paris'},
];

async function cli(args: string[]): Promise<{stdout: string; stderr: string; exitCode: number}> {
  return runCli(args);
}

async function json<T>(args: string[]): Promise<T> {
  const result = await cli([...args, '--json']);
  expect(result.exitCode, result.stderr).to.equal(0);
  return parseJson<T>(result);
}

/** Runs of one schedule, oldest first, as plain SQL reads them. */
async function runsOf(db: string, scheduleId: string): Promise<QueryRow[]> {
  const rows = await queryDb(db, `select * from flow_run where deployment_id = ? order by expected_start_time`, [DEPLOYMENT_ID]);
  return rows.filter((row) => (normalise(row.created_by) as Json | null)?.id === scheduleId);
}

for (const dialect of testDialects()) {
  describe(`deployment schedule-runs [${dialect}]`, function () {
    this.timeout(120_000);
    let db: string;
    let sqlitePath: string;
    let drop: (() => Promise<void>) | undefined;
    const ids = new Map<string, string>();

    before(async function () {
      sqlitePath = copyFixture(FIXTURE);
      if (dialect === 'postgres') {
        await requirePostgres(this);
        ({url: db, drop} = await loadFixtureIntoPostgres(sqlitePath));
      } else {
        db = sqlitePath;
      }
      for (const schedule of SCHEDULES) {
        const added = await json<Json[]>(['deployment', 'schedule', 'add', DEPLOYMENT, ...schedule.flags, '--slug', schedule.slug, '--db', db]);
        ids.set(schedule.slug, added[0].id as string);
      }
    });

    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    it('stores each schedule as Prefect does', async () => {
      const rows = await queryDb(db, 'select slug, schedule, active, parameters from deployment_schedule where slug is not null order by slug');
      const bySlug = new Map(rows.map((r) => [r.slug, normalise(r.schedule)]));
      expect(bySlug.get('ny-interval')).to.deep.equal({interval: 5400, anchor_date: '2026-02-01T00:00:00Z', timezone: 'America/New_York'});
      expect(bySlug.get('paris-and')).to.deep.equal({cron: '0 12 1-7 * 1', timezone: 'Europe/Paris', day_or: false});
      expect(bySlug.get('paris-rrule')).to.deep.equal({rrule: 'FREQ=HOURLY;INTERVAL=7;BYMINUTE=15', timezone: 'Europe/Paris'});
      if (dialect === 'sqlite') {
        const text = await queryDb(db, `select schedule from deployment_schedule where slug = 'ny-interval'`);
        expect(text[0].schedule).to.equal('{"interval": 5400.0, "anchor_date": "2026-02-01T00:00:00Z", "timezone": "America/New_York"}');
      } else {
        const text = await queryDb(db, `select schedule::text as schedule from deployment_schedule where slug = 'ny-interval'`);
        expect(text[0].schedule).to.contain('"interval": 5400.0');
      }
    });

    it('--dry-run reports the runs and writes nothing', async () => {
      const before = dialect === 'sqlite' ? fileHash(sqlitePath) : '';
      const count = async () => Number((await queryDb(db, 'select count(*) as n from flow_run'))[0].n);
      const runsBefore = await count();
      const lines = await json<Json[]>(['deployment', 'schedule-runs', DEPLOYMENT, ...WINDOW, '--dry-run', '--db', db]);
      expect(lines.reduce((sum, l) => sum + (l.created as number), 0)).to.be.greaterThan(500);
      expect(await count()).to.equal(runsBefore);
      if (dialect === 'sqlite') expect(fileHash(sqlitePath)).to.equal(before);
    });

    it('a backfill inserts exactly the run times `schedule ls --next` gives, with Prefect\'s idempotency keys', async () => {
      const lines = await json<Array<Json & {schedule_slug: string | null}>>(['deployment', 'schedule-runs', DEPLOYMENT, ...WINDOW, '--db', db]);
      for (const schedule of SCHEDULES) {
        const id = ids.get(schedule.slug)!;
        const line = lines.find((l) => l.schedule_id === id)!;
        const runs = await runsOf(db, id);
        expect(line.created, schedule.slug).to.equal(runs.length);
        expect(runs.length, schedule.slug).to.be.greaterThan(0);
        const listed = await json<Array<{id: string; next_run_times: string[]}>>([
          'deployment', 'schedule', 'ls', DEPLOYMENT, '--from', '2026-03-01T00:00:00Z', '--next', String(Math.min(runs.length + 1, 1000)), '--db', db,
        ]);
        const expected = listed.find((s) => s.id === id)!.next_run_times.filter((t) => t <= WINDOW_END);
        expect(runs.map((r) => normalise(r.expected_start_time)), schedule.slug).to.deep.equal(expected);
        for (const run of runs) {
          const local = DateTime.fromISO(normalise(run.expected_start_time) as string, {zone: schedule.zone}).toFormat('yyyy-MM-dd HH:mm:ssZZ');
          expect(run.idempotency_key).to.equal(`scheduled ${DEPLOYMENT_ID} ${id} ${local}`);
          expect(normalise(run.next_scheduled_start_time)).to.equal(normalise(run.expected_start_time));
        }
      }
      // Spot checks written out: the interval crosses New York's DST change in UTC steps; the
      // 02:30 cron has no 8 March (02:30 does not exist) but runs at 03:30 EDT, as croniter does.
      const keys = (await runsOf(db, ids.get('ny-interval')!)).map((r) => r.idempotency_key as string);
      expect(keys).to.include(`scheduled ${DEPLOYMENT_ID} ${ids.get('ny-interval')} 2026-03-08 01:00:00-05:00`);
      expect(keys).to.include(`scheduled ${DEPLOYMENT_ID} ${ids.get('ny-interval')} 2026-03-08 03:30:00-04:00`);
      const cronKeys = (await runsOf(db, ids.get('ny-cron')!)).map((r) => (r.idempotency_key as string).split(' ').slice(3).join(' '));
      expect(cronKeys).to.include.members(['2026-03-07 02:30:00-05:00', '2026-03-09 02:30:00-04:00']);
      // day_or=false: Mondays that are also among the 1st-7th; day_or=true: either.
      const and = (await runsOf(db, ids.get('paris-and')!)).map((r) => normalise(r.expected_start_time));
      expect(and).to.deep.equal(['2026-03-02T11:00:00.000000Z', '2026-04-06T10:00:00.000000Z'].filter((t) => t <= WINDOW_END));
      const or = await runsOf(db, ids.get('paris-or')!);
      expect(or.length).to.be.greaterThan(and.length + 5);
    });

    it('writes the columns and state Prefect\'s scheduler writes', async () => {
      const id = ids.get('ny-cron')!;
      const [run] = await runsOf(db, id);
      // A run Prefect's own scheduler wrote into this database, for comparison.
      const [prefectRun] = await queryDb(db, `select * from flow_run where auto_scheduled = ? and created < '2026-01-01' order by created limit 1`, [dialect === 'sqlite' ? 1 : true]);
      for (const column of ['state_type', 'state_name', 'run_count', 'total_run_time', 'flow_version', 'context', 'empirical_policy', 'parent_task_run_id', 'infrastructure_document_id', 'work_queue_name', 'state_timestamp', 'infrastructure_pid', 'work_queue_id', 'job_variables', 'deployment_version', 'labels', 'parameters', 'tags', 'flow_id', 'deployment_id']) {
        expect(normalise(run[column]), column).to.deep.equal(normalise(prefectRun[column]));
      }
      expect(Boolean(run.auto_scheduled)).to.equal(true);
      expect(normalise(run.created_by)).to.deep.equal({id, type: 'SCHEDULE', display_value: 'ny-cron'});
      expect(run.name).to.match(/^[a-z]+-[a-z]+$/);
      const [state] = await queryDb(db, 'select * from flow_run_state where id = ?', [run.state_id]);
      const [prefectState] = await queryDb(db, 'select * from flow_run_state where id = ?', [prefectRun.state_id]);
      for (const column of ['type', 'name', 'message', 'data', 'result_artifact_id']) expect(state[column], column).to.deep.equal(prefectState[column]);
      const details = normalise(state.state_details) as Json;
      expect(Object.keys(details)).to.deep.equal(Object.keys(normalise(prefectState.state_details) as Json));
      expect(details.scheduled_time).to.equal(DateTime.fromISO(normalise(run.expected_start_time) as string, {zone: 'America/New_York'}).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"));
      expect(state.flow_run_id).to.equal(run.id);
      expect(run.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    });

    it('is idempotent: a second backfill and a scheduler pass add nothing twice', async () => {
      const count = async () => Number((await queryDb(db, 'select count(*) as n from flow_run'))[0].n);
      const before = await count();
      const again = await json<Json[]>(['deployment', 'schedule-runs', DEPLOYMENT, ...WINDOW, '--db', db]);
      expect(again.reduce((sum, l) => sum + (l.created as number), 0)).to.equal(0);
      expect(await count()).to.equal(before);
      const pass = await json<Json[]>(['deployment', 'schedule-runs', '--db', db]);
      const secondPass = await json<Json[]>(['deployment', 'schedule-runs', '--db', db]);
      expect(pass.reduce((sum, l) => sum + (l.created as number), 0)).to.be.greaterThan(0);
      expect(secondPass.reduce((sum, l) => sum + (l.created as number), 0)).to.equal(0);
      // Like Prefect's scheduler, the second pass does not even generate: every schedule has enough runs ahead.
      expect(new Set(secondPass.map((l) => l.skipped))).to.deep.equal(new Set(['enough runs scheduled ahead']));
      // A pass keeps at least 3 runs and an hour ahead per schedule, at most 100.
      for (const line of pass.filter((l) => l.skipped === null)) {
        expect(line.dates as number).to.be.within(3, 100);
      }
    });

    it('--max-runs caps a backfill; a paused deployment is refused unless --include-paused', async () => {
      const capped = await json<Json[]>(['deployment', 'schedule-runs', DEPLOYMENT, '--start', '2027-01-01', '--end', '2027-02-01', '--max-runs', '2', '--db', db]);
      const dates = capped.filter((l) => l.skipped === null).map((l) => l.dates as number);
      expect(Math.max(...dates)).to.equal(2);
      expect(dates.filter((n) => n === 2).length).to.be.greaterThan(3);
      expect((await cli(['deployment', 'pause', DEPLOYMENT, '--yes', '--db', db])).exitCode).to.equal(0);
      const refused = await cli(['deployment', 'schedule-runs', DEPLOYMENT, '--start', '2027-03-01', '--end', '2027-03-02', '--db', db]);
      expect(refused.exitCode).to.equal(4);
      expect(refused.stderr).to.match(/is paused.*--include-paused/);
      const pass = await json<Json[]>(['deployment', 'schedule-runs', DEPLOYMENT, '--db', db]);
      expect(pass).to.deep.equal([{deployment_id: DEPLOYMENT_ID, deployment: DEPLOYMENT, schedule_id: null, schedule_slug: null, dates: 0, created: 0, first_run: null, last_run: null, skipped: 'deployment is paused'}]);
      const included = await json<Json[]>(['deployment', 'schedule-runs', DEPLOYMENT, '--start', '2027-03-01', '--end', '2027-03-02', '--include-paused', '--db', db]);
      expect(included.reduce((sum, l) => sum + (l.created as number), 0)).to.be.greaterThan(0);
    });

    it('bad input: unknown deployment 3, bad window 2, bad time 2; nothing written', async () => {
      const count = async () => Number((await queryDb(db, 'select count(*) as n from flow_run'))[0].n);
      const before = await count();
      expect((await cli(['deployment', 'schedule-runs', 'no/such', '--db', db])).exitCode).to.equal(3);
      expect((await cli(['deployment', 'schedule-runs', DEPLOYMENT, '--start', '2026-02-01', '--end', '2026-01-01', '--db', db])).exitCode).to.equal(2);
      expect((await cli(['deployment', 'schedule-runs', DEPLOYMENT, '--start', 'yesterday-ish', '--end', 'now', '--db', db])).exitCode).to.equal(2);
      expect((await cli(['deployment', 'schedule-runs', DEPLOYMENT, '--start', '2026-01-01', '--db', db])).exitCode).to.equal(2);
      expect(await count()).to.equal(before);
    });
  });
}
