import {execFileSync} from 'node:child_process';
import {randomUUID} from 'node:crypto';

import Sqlite from 'better-sqlite3';
import {expect} from 'chai';

import {openDatabase, type Database} from '../../src/db/connection.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {createPostgresDatabase, removeTempDirs, tempDir} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {rowSnapshot} from '../support/row-snapshot.js';

interface Finding {
  check: string;
  status: 'ok' | 'found' | 'fixed';
  count: number;
  sample_ids: string[];
  fix: string | null;
  detail?: unknown;
}

const CHECKS = [
  'zombie-runs', 'stranded-task-runs', 'stuck-cancelling', 'late-runs', 'leaked-tag-slots', 'leaked-limit-slots',
  'state-pointer', 'run-bookkeeping', 'orphan-logs', 'orphan-artifacts', 'orphan-cache-rows', 'dangling-collections',
  'orphan-scheduled-runs', 'duplicate-scheduled-runs', 'integrity', 'foreign-keys', 'storage', 'schema-drift',
];

const HOUR = 3600_000;
const iso = (millis: number) => new Date(millis).toISOString().replace('Z', '000Z');

type Source = {label: string; fixture?: string; seed?: boolean};
const SOURCES: Source[] = [
  {label: 'fixture prefect-2.x-824e9edafa60', fixture: 'prefect-2.x-824e9edafa60.db'},
  {label: 'fixture prefect-3.x-9e83011d1f2a', fixture: 'prefect-3.x-9e83011d1f2a.db'},
  {label: 'seeded database', seed: true},
];

interface PlannedState {
  type: string;
  name: string;
  at: number;
  scheduled?: number;
}

/**
 * A damaged index, as a crash with a broken file system leaves one: one of Prefect's indexes
 * (so the schema stays Prefect's: schema-drift has nothing to say) that SQLite stops
 * maintaining while a row changes, then puts back. The sqlite3 shell can write the schema
 * table; better-sqlite3 runs in defensive mode and cannot.
 */
function plantStaleIndex(path: string): void {
  const sqlite3 = (sql: string) => execFileSync('sqlite3', [path], {input: sql});
  sqlite3(`create table doctor_keep as select * from sqlite_master where name = 'ix_log__level';
    pragma writable_schema = on; delete from sqlite_master where name = 'ix_log__level';`);
  sqlite3(`update log set level = level + 1 where rowid = (select min(rowid) from log);
    pragma writable_schema = on; insert into sqlite_master select * from doctor_keep;`);
  sqlite3('drop table doctor_keep;');
}

for (const source of SOURCES) {
  for (const dialect of testDialects()) {
    describe(`db doctor on a ${source.label} (${dialect})`, function () {
      this.timeout(120_000);
      let url: string;
      let drop: () => Promise<void>;
      let db: Database;
      const planted: Record<string, string[]> = {};
      const now = Date.now();

      before(async function () {
        if (source.fixture) {
          ({url, drop} = await fixtureDatabase(this, dialect, source.fixture));
        } else if (dialect === 'sqlite') {
          url = `${tempDir()}/seeded.db`;
          drop = async () => undefined;
        } else {
          await requirePostgres(this);
          ({url, drop} = await createPostgresDatabase('doctor'));
        }
        if (source.seed) ok(await runCli(['db', 'seed', '--db', url, '--flow-runs', '60', '--seed', '7']));
        db = await openDatabase(resolveDatabaseTarget(url), {write: true});
      });

      after(async () => {
        await db?.knex.destroy();
        await drop?.();
        removeTempDirs();
      });

      function ok(result: CliResult): CliResult {
        expect(result.exitCode, result.stderr + result.stdout.slice(0, 2000)).to.equal(0);
        return result;
      }

      // --full: the planted stale index is only visible to SQLite's full integrity_check.
      const doctor = async (...args: string[]) => runCli(['db', 'doctor', '--db', url, '--json', '--full', ...args]);
      const findings = (result: CliResult) => new Map(parseJson<Finding[]>(result).map((f) => [f.check, f]));
      const jsonValue = (value: unknown) => (dialect === 'postgres' ? JSON.stringify(value) : db.codec.encodeJson(value));

      /** Values of a row read with select * made fit to insert again (PostgreSQL's jsonb comes back parsed). */
      function reinsertable(row: Record<string, unknown>): Record<string, unknown> {
        if (dialect === 'sqlite') return {...row};
        return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v]));
      }

      /** A run with a consistent history and the columns Prefect derives from it, cloned from a run of the database. */
      async function plantRun(kind: 'flow_run' | 'task_run', states: PlannedState[], overrides: Record<string, unknown> = {}): Promise<string> {
        const {codec} = db;
        const template = await db.knex(kind).first('*');
        const id = randomUUID();
        const stateIds = states.map(() => randomUUID());
        const running = states.flatMap((s, i) => (s.type === 'RUNNING' ? [i] : []));
        const terminal = states.findIndex((s) => ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'].includes(s.type));
        const last = states[states.length - 1];
        const runTime = running.reduce((sum, i) => sum + (i + 1 < states.length ? states[i + 1].at - states[i].at : 0), 0) / 1000;
        const firstRunning = running.length > 0 ? states[running[0]].at : terminal >= 0 ? states[terminal].at : null;
        const row: Record<string, unknown> = {
          ...reinsertable(template),
          id,
          name: `doctor-${id.slice(0, 8)}`,
          created: codec.encodeTimestamp(iso(states[0].at)),
          updated: codec.encodeTimestamp(iso(states[0].at)),
          state_id: null,
          state_type: last.type,
          state_name: last.name,
          state_timestamp: codec.encodeTimestamp(iso(last.at)),
          start_time: firstRunning === null ? null : codec.encodeTimestamp(iso(firstRunning)),
          end_time: terminal >= 0 ? codec.encodeTimestamp(iso(states[terminal].at)) : null,
          run_count: running.length,
          total_run_time: codec.encodeInterval(runTime),
          expected_start_time: codec.encodeTimestamp(iso(states[0].scheduled ?? states[0].at)),
          next_scheduled_start_time: last.type === 'SCHEDULED' ? codec.encodeTimestamp(iso(last.scheduled ?? last.at)) : null,
        };
        if (kind === 'flow_run') Object.assign(row, {deployment_id: null, parent_task_run_id: null, idempotency_key: null, auto_scheduled: codec.encodeBoolean(false), infrastructure_document_id: null, work_queue_id: null});
        if (kind === 'task_run') Object.assign(row, {dynamic_key: id, cache_key: null});
        for (const key of Object.keys(overrides)) row[key] = overrides[key];
        await db.knex(kind).insert(row);
        const stateTemplate = await db.knex(`${kind}_state`).first('*');
        for (const [i, state] of states.entries()) {
          await db.knex(`${kind}_state`).insert({
            ...reinsertable(stateTemplate),
            id: stateIds[i],
            created: codec.encodeTimestamp(iso(state.at)),
            updated: codec.encodeTimestamp(iso(state.at)),
            type: state.type,
            name: state.name,
            timestamp: codec.encodeTimestamp(iso(state.at)),
            message: null,
            state_details: jsonValue(state.scheduled === undefined ? {} : {scheduled_time: iso(state.scheduled)}),
            data: null,
            [`${kind}_id`]: id,
            ...('result_artifact_id' in stateTemplate ? {result_artifact_id: null} : {}),
          });
        }
        await db.knex(kind).where('id', id).update({state_id: stateIds[stateIds.length - 1]});
        return id;
      }

      const finished = (start: number): PlannedState[] => [
        {type: 'PENDING', name: 'Pending', at: start},
        {type: 'RUNNING', name: 'Running', at: start + 1000},
        {type: 'COMPLETED', name: 'Completed', at: start + HOUR},
      ];

      it('starts from a database doctor --fix leaves clean', async () => {
        const first = await doctor('--fix', '--yes');
        expect([0, 6]).to.include(first.exitCode);
        const clean = findings(ok(await doctor()));
        expect([...clean.keys()]).to.deep.equal(CHECKS);
        for (const finding of clean.values()) expect(finding, finding.check).to.include({status: 'ok', count: 0, fix: null});
      });

      it('finds every planted fault, with counts and sample ids', async () => {
        const {codec} = db;
        planted['zombie-runs'] = [await plantRun('flow_run', [{type: 'PENDING', name: 'Pending', at: now - 72 * HOUR - 5000}, {type: 'RUNNING', name: 'Running', at: now - 72 * HOUR}])];
        const finishedRun = await plantRun('flow_run', finished(now - 3 * HOUR));
        const stranded = await plantRun('task_run', [{type: 'PENDING', name: 'Pending', at: now - 3 * HOUR + 2000}, {type: 'RUNNING', name: 'Running', at: now - 3 * HOUR + 3000}], {flow_run_id: finishedRun});
        planted['stranded-task-runs'] = [stranded];
        planted['stuck-cancelling'] = [await plantRun('flow_run', [{type: 'RUNNING', name: 'Running', at: now - HOUR}, {type: 'CANCELLING', name: 'Cancelling', at: now - 10 * 60_000}])];
        planted['late-runs'] = [await plantRun('flow_run', [{type: 'SCHEDULED', name: 'Scheduled', at: now - 2 * HOUR, scheduled: now - HOUR}])];

        const tagLimit = randomUUID();
        await db.knex('concurrency_limit').insert({
          id: tagLimit, created: codec.encodeTimestamp(iso(now)), updated: codec.encodeTimestamp(iso(now)), tag: 'doctor-tag', concurrency_limit: 5,
          active_slots: jsonValue([stranded, randomUUID()]),
        });
        planted['leaked-tag-slots'] = [tagLimit];
        const deployment = await db.knex('deployment').first('id');
        const deploymentLimit = randomUUID();
        await db.knex('concurrency_limit_v2').insert({
          id: deploymentLimit, created: codec.encodeTimestamp(iso(now)), updated: codec.encodeTimestamp(iso(now)), active: codec.encodeBoolean(true),
          name: `deployment:${deployment.id}`, limit: 5, active_slots: 3, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 2,
        });
        planted['leaked-limit-slots'] = [deploymentLimit];

        const pointer = await plantRun('flow_run', [{type: 'PENDING', name: 'Pending', at: now - 2 * HOUR}]);
        const stateTemplate = await db.knex('flow_run_state').where('flow_run_id', pointer).first('*');
        await db.knex('flow_run_state').insert({...reinsertable(stateTemplate), id: randomUUID(), type: 'RUNNING', name: 'Running', timestamp: codec.encodeTimestamp(iso(now - HOUR))});
        const unpointed = await plantRun('flow_run', finished(now - 6 * HOUR));
        await db.knex('flow_run').where('id', unpointed).update({state_id: null});
        const misdirected = await plantRun('flow_run', finished(now - 7 * HOUR));
        const othersState = await db.knex('flow_run_state').where('flow_run_id', unpointed).first('id');
        await db.knex('flow_run').where('id', misdirected).update({state_id: othersState.id});
        planted['state-pointer'] = [pointer, unpointed, misdirected];
        const miscounted = await plantRun('flow_run', finished(now - 5 * HOUR));
        await db.knex('flow_run').where('id', miscounted).update({run_count: 7, total_run_time: codec.encodeInterval(1)});
        planted['run-bookkeeping'] = [miscounted];

        const logTemplate = await db.knex('log').first('*');
        planted['orphan-logs'] = [randomUUID(), randomUUID()];
        for (const id of planted['orphan-logs']) await db.knex('log').insert({...reinsertable(logTemplate), id, flow_run_id: randomUUID(), task_run_id: null});

        const artifact = (id: string, key: string, flowRunId: string | null, at: number) => ({
          id, created: codec.encodeTimestamp(iso(at)), updated: codec.encodeTimestamp(iso(at)), key, type: 'markdown', data: jsonValue(`# ${id}`),
          metadata_: jsonValue({}), description: null, flow_run_id: flowRunId, task_run_id: null,
        });
        const keptArtifact = randomUUID();
        const orphanArtifact = randomUUID();
        await db.knex('artifact').insert(artifact(keptArtifact, 'doctor-key', null, now - 2 * HOUR));
        await db.knex('artifact').insert(artifact(orphanArtifact, 'doctor-key', randomUUID(), now - HOUR));
        const collection = (id: string, key: string, latest: string) => ({
          id, created: codec.encodeTimestamp(iso(now)), updated: codec.encodeTimestamp(iso(now)), key, latest_id: latest, type: 'markdown', data: jsonValue('x'),
          metadata_: jsonValue({}), description: null, flow_run_id: null, task_run_id: null,
        });
        const repointed = randomUUID();
        await db.knex('artifact_collection').insert(collection(repointed, 'doctor-key', orphanArtifact));
        planted['orphan-artifacts'] = [orphanArtifact];
        const dangling = randomUUID();
        await db.knex('artifact_collection').insert(collection(dangling, 'dangling-key', randomUUID()));
        planted['dangling-collections'] = [dangling];

        const cacheRow = randomUUID();
        await db.knex('task_run_state_cache').insert({
          id: cacheRow, created: codec.encodeTimestamp(iso(now)), updated: codec.encodeTimestamp(iso(now)), cache_key: 'doctor-cache', cache_expiration: null, task_run_state_id: randomUUID(),
        });
        planted['orphan-cache-rows'] = [cacheRow];

        const future = (hours: number): PlannedState[] => [{type: 'SCHEDULED', name: 'Scheduled', at: now - HOUR, scheduled: now + hours * HOUR}];
        planted['orphan-scheduled-runs'] = [await plantRun('flow_run', future(24), {deployment_id: randomUUID()})];
        const when = iso(now + 48 * HOUR);
        await plantRun('flow_run', future(48), {deployment_id: deployment.id, auto_scheduled: codec.encodeBoolean(true), idempotency_key: `scheduled ${deployment.id} ${when}`});
        planted['duplicate-scheduled-runs'] = [
          await plantRun('flow_run', future(48), {deployment_id: deployment.id, auto_scheduled: codec.encodeBoolean(true), idempotency_key: `scheduled ${deployment.id} ${when} again`, created: codec.encodeTimestamp(iso(now - HOUR + 1000))}),
        ];

        if (dialect === 'sqlite') {
          await db.knex.destroy();
          const raw = new Sqlite(url);
          raw.pragma('foreign_keys = OFF');
          const broken = randomUUID();
          raw.prepare(`insert into flow_run_state (id, type, name, timestamp, flow_run_id) values (?, 'RUNNING', 'Running', ?, ?)`).run(broken, '2026-01-01 00:00:00.000000', randomUUID());
          // Free pages the storage check wants reclaimed: 24 MiB written, then dropped.
          raw.exec(`create table doctor_ballast (b blob); with recursive n(i) as (select 1 union all select i + 1 from n where i < 6000) insert into doctor_ballast select randomblob(4096) from n; drop table doctor_ballast;`);
          raw.close();
          plantStaleIndex(url);
          db = await openDatabase(resolveDatabaseTarget(url), {write: true});
          planted['foreign-keys'] = ['flow_run_state#'];
          planted.integrity = [];
          planted.storage = [];
        } else {
          await db.knex.raw(`insert into log (id, created, updated, name, level, message, timestamp) select gen_random_uuid(), now(), now(), 'ballast', 10, 'x', now() from generate_series(1, 12000)`);
          await db.knex.raw(`delete from log where name = 'ballast'`);
          await db.knex.raw('select pg_stat_force_next_flush()');
          planted.storage = [];
        }

        let found = findings(await doctor());
        for (let wait = 0; dialect === 'postgres' && found.get('storage')?.count === 0 && wait < 20; wait++) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          found = findings(await doctor());
        }
        const result = await doctor();
        expect(result.exitCode).to.equal(6);
        for (const [check, ids] of Object.entries(planted)) {
          const finding = found.get(check) as Finding;
          expect(finding.status, check).to.equal('found');
          expect(finding.fix, check).to.be.a('string');
          if (check === 'storage' || check === 'integrity') {
            expect(finding.count, check).to.be.greaterThan(0);
            continue;
          }
          expect(finding.count, check).to.equal(ids.length);
          if (check === 'foreign-keys') expect(finding.sample_ids[0]).to.match(/^flow_run_state#\d+$/);
          else expect(finding.sample_ids, check).to.have.members(ids);
        }
        if (dialect === 'postgres') {
          expect(found.get('foreign-keys')).to.include({status: 'ok'});
          expect(found.get('integrity')).to.include({status: 'ok'});
        }
      });

      it('--dry-run runs the repairs, rolls them back and writes nothing', async () => {
        const before = await rowSnapshot(db.knex, dialect);
        const result = await doctor('--dry-run');
        expect(result.exitCode, result.stdout.slice(0, 3000) + result.stderr).to.equal(6);
        const dry = findings(result);
        expect(dry.get('orphan-logs')).to.include({status: 'found', count: 2});
        expect((dry.get('orphan-logs')?.detail as {would_change: number}).would_change).to.equal(2);
        expect(await rowSnapshot(db.knex, dialect)).to.deep.equal(before);
      });

      it('--fix needs --yes off a terminal and leaves the database as it was without it', async () => {
        const before = await rowSnapshot(db.knex, dialect);
        const refused = await runCli(['db', 'doctor', '--db', url, '--fix']);
        expect(refused.exitCode).to.equal(4);
        expect(await rowSnapshot(db.knex, dialect)).to.deep.equal(before);
      });

      it('db status --sizes gives every table its size, table and indexes together', async () => {
        const status = parseJson<{table_sizes: Array<{table: string; total_bytes: number; table_bytes: number; index_bytes: number}>}>(
          ok(await runCli(['db', 'status', '--db', url, '--sizes', '--json'])),
        );
        const tables = status.table_sizes.map((t) => t.table);
        for (const table of ['flow_run', 'flow_run_state', 'task_run', 'log', 'alembic_version']) expect(tables).to.include(table);
        for (const size of status.table_sizes) {
          // PostgreSQL's total also counts the TOAST table.
          if (dialect === 'sqlite') expect(size.total_bytes, size.table).to.equal(size.table_bytes + size.index_bytes);
          else expect(size.total_bytes, size.table).to.be.at.least(size.table_bytes + size.index_bytes);
        }
        const flowRun = status.table_sizes.find((t) => t.table === 'flow_run');
        expect(flowRun?.table_bytes).to.be.greaterThan(0);
        expect(flowRun?.index_bytes).to.be.greaterThan(0);
        expect(status.table_sizes.map((t) => t.total_bytes)).to.deep.equal(status.table_sizes.map((t) => t.total_bytes).sort((a, b) => b - a));
      });

      it('--fix repairs every planted fault, and doctor then finds the database clean', async () => {
        const fixed = findings(ok(await doctor('--fix', '--yes')));
        for (const check of Object.keys(planted)) expect(fixed.get(check)?.status, check).to.equal('fixed');
        expect(fixed.get('orphan-logs')?.count).to.equal(2);
        const clean = findings(ok(await doctor()));
        for (const finding of clean.values()) expect(finding, finding.check).to.include({status: 'ok', count: 0});

        const state = async (id: string) => (await db.knex('flow_run').where('id', id).first('state_type', 'state_name')) as {state_type: string; state_name: string};
        expect(await state(planted['zombie-runs'][0])).to.deep.equal({state_type: 'CRASHED', state_name: 'Crashed'});
        expect(await state(planted['stuck-cancelling'][0])).to.deep.equal({state_type: 'CANCELLED', state_name: 'Cancelled'});
        expect(await state(planted['late-runs'][0])).to.deep.equal({state_type: 'SCHEDULED', state_name: 'Late'});
        expect(await state(planted['state-pointer'][0])).to.deep.equal({state_type: 'RUNNING', state_name: 'Running'});
        expect((await db.knex('task_run').where('id', planted['stranded-task-runs'][0]).first('state_type')).state_type).to.equal('CRASHED');
        const miscounted = await db.knex('flow_run').where('id', planted['run-bookkeeping'][0]).first('run_count', 'total_run_time');
        expect(Number(miscounted.run_count)).to.equal(1);
        expect(db.codec.decodeInterval(miscounted.total_run_time)).to.be.closeTo(3599, 1e-6);
        expect(JSON.parse(JSON.stringify(db.codec.decodeJson((await db.knex('concurrency_limit').where('tag', 'doctor-tag').first('active_slots')).active_slots)))).to.deep.equal([]);
        expect(Number((await db.knex('concurrency_limit_v2').where('id', planted['leaked-limit-slots'][0]).first('active_slots')).active_slots)).to.equal(0);
        const collection = await db.knex('artifact_collection').where('key', 'doctor-key').first('latest_id');
        const kept = await db.knex('artifact').where('key', 'doctor-key').select('id');
        expect(kept).to.have.length(1);
        expect(String(collection.latest_id)).to.equal(String(kept[0].id));
        expect(await db.knex('artifact_collection').where('key', 'dangling-key').first('id')).to.equal(undefined);
        expect(await db.knex('flow_run').where('id', planted['orphan-scheduled-runs'][0]).first('id')).to.equal(undefined);
        expect(await db.knex('flow_run').where('id', planted['duplicate-scheduled-runs'][0]).first('id')).to.equal(undefined);
        if (dialect === 'sqlite') expect(await db.knex.raw('pragma foreign_key_check')).to.deep.equal([]);
      });
    });
  }
}
