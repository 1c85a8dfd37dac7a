import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {gunzipSync} from 'node:zlib';

import {expect} from 'chai';

import {openDatabase, type Database} from '../../src/db/connection.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs, tempDir} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {expectedDeletion} from '../support/expected-deletion.js';
import {plantOrphans, type PlantedOrphans} from '../support/orphans.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {snapshotTables, type TableSnapshot, unexpectedChanges} from '../support/table-snapshot.js';
import {emptyDatabase, type EmptyDatabase, NO_DATABASE_ENV, seedOrFail} from '../seed/seeded-database.js';

interface CleanJson {
  dry_run: boolean;
  deleted: Record<string, number>;
  archived: Record<string, number>;
  sizes: {before: Record<string, number>; after: Record<string, number>} | null;
}

const CUTOFF = '2026-01-15T00:00:00Z';
const EVENTS_CUTOFF = '2025-12-01T00:00:00Z';
const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];
const lower = (rows: Array<{id: string}>) => rows.map((r) => String(r.id).toLowerCase());

/** Ids per table that `db clean` must delete, and collections it must repoint, computed by plain queries. */
async function expectedClean(db: Database, before: TableSnapshot, options: {stateTypes?: string[]; orphans?: boolean; events?: boolean}) {
  const {knex, codec} = db;
  const expired = lower(
    await knex('flow_run').whereNull('parent_task_run_id').whereIn('state_type', options.stateTypes ?? TERMINAL).whereNotNull('end_time').where('end_time', '<', codec.encodeTimestamp(new Date(CUTOFF).toISOString())).select('id'),
  );
  const scheduledOrphans = options.orphans
    ? lower(await knex('flow_run').where('state_type', 'SCHEDULED').whereNotNull('deployment_id').whereNotExists((q) => q.from('deployment').whereRaw('deployment.id = flow_run.deployment_id').select(knex.raw('1'))).select('id'))
    : [];
  const expected = await expectedDeletion(db, {flowRuns: [...expired, ...scheduledOrphans]});
  const orphanOf = (table: string) =>
    knex(table).where((q) =>
      q.where((a) => a.whereNotNull('flow_run_id').whereNotExists((s) => s.from('flow_run').whereRaw(`flow_run.id = ${table}.flow_run_id`).select(knex.raw('1'))))
        .orWhere((b) => b.whereNotNull('task_run_id').whereNotExists((s) => s.from('task_run').whereRaw(`task_run.id = ${table}.task_run_id`).select(knex.raw('1')))),
    ).select('id');
  for (const id of lower(await orphanOf('log'))) expected.log.add(id);
  for (const id of lower(await orphanOf('artifact'))) expected.artifact.add(id);
  for (const id of lower(await knex('task_run_state_cache').whereNotExists((s) => s.from('task_run_state').whereRaw('task_run_state.id = task_run_state_cache.task_run_state_id').select(knex.raw('1'))).select('id'))) {
    expected.task_run_state_cache.add(id);
  }
  // Collections: latest gone → newest remaining version of the key by created, or removed.
  const artifacts = [...before.get('artifact')!.values()].map((text) => JSON.parse(text)).filter((a) => !expected.artifact.has(String(a.id).toLowerCase()));
  const removed = new Set<string>();
  const repointed = new Map<string, string>();
  for (const text of before.get('artifact_collection')!.values()) {
    const collection = JSON.parse(text);
    if (artifacts.some((a) => String(a.id) === String(collection.latest_id))) continue;
    const versions = artifacts.filter((a) => a.key === collection.key).sort((x, y) => (String(x.created) < String(y.created) ? 1 : -1));
    if (versions.length === 0) removed.add(String(collection.id));
    else repointed.set(String(collection.id), String(versions[0].id));
  }
  const deleted: Record<string, Set<string>> = {...expected, artifact_collection: removed};
  if (options.events) {
    const cutoff = codec.encodeTimestamp(new Date(EVENTS_CUTOFF).toISOString());
    deleted.events = new Set(lower(await knex('events').where('occurred', '<', cutoff).select('id')));
    deleted.event_resources = new Set(lower(await knex('event_resources').where('occurred', '<', cutoff).select('id')));
  }
  return {deleted, repointed};
}

function readArchive(dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const file of readdirSync(dir)) {
    const lines = gunzipSync(readFileSync(path.join(dir, file))).toString('utf8').split('\n').filter(Boolean);
    out[file.replace('.jsonl.gz', '')] = lines.map((line) => String(JSON.parse(line).id)).sort();
  }
  return out;
}

const sizes = (sets: Record<string, Set<string>>) => Object.fromEntries(Object.entries(sets).map(([table, set]) => [table, set.size]));

for (const dialect of testDialects()) {
  describe(`db clean (${dialect})`, function () {
    this.timeout(180_000);
    let database: EmptyDatabase;
    let db: Database;
    let planted: PlantedOrphans;
    let before: TableSnapshot;
    let subflowOfExpired: string;

    const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--db', database.url], NO_DATABASE_ENV);

    beforeEach(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      await seedOrFail(database.url, ['--seed', '9', '--flow-runs', '60', '--flows', '3', '--deployments', '3']);
      db = await openDatabase(resolveDatabaseTarget(database.url, {}), {write: true});
      planted = await plantOrphans(db);
      // A recent run made the subflow of an expired one: it goes with its parent whatever its own state.
      const expiredWithTask = await db.knex('flow_run').whereIn('state_type', TERMINAL).where('end_time', '<', db.codec.encodeTimestamp('2026-01-14T23:00:00.000000Z'))
        .whereExists((q) => q.from('task_run').whereRaw('task_run.flow_run_id = flow_run.id').select(db.knex.raw('1'))).orderBy('id').first('id');
      const task = await db.knex('task_run').where('flow_run_id', expiredWithTask.id).orderBy('id').first('id');
      const recent = await db.knex('flow_run').whereNull('end_time').whereNotIn('id', [planted.scheduledRun, planted.liveRun]).orderBy('id').first('id');
      subflowOfExpired = String(recent.id);
      await db.knex('flow_run').where('id', subflowOfExpired).update({parent_task_run_id: task.id});
      before = await snapshotTables(db);
    });

    afterEach(async () => {
      await db?.knex.destroy();
      await database?.drop();
    });

    after(removeTempDirs);

    it('deletes exactly the expired runs (with subflows), orphans, dangling collections, orphan Scheduled runs and old events, archiving every row', async () => {
      const {deleted, repointed} = await expectedClean(db, before, {orphans: true, events: true});
      expect(deleted.flow_run.has(subflowOfExpired)).to.equal(true);
      expect(deleted.flow_run.has(planted.scheduledRun)).to.equal(true);
      const archive = path.join(tempDir(), 'archive');
      const result = await cli('db', 'clean', '--older-than', CUTOFF, '--orphans', '--events', EVENTS_CUTOFF, '--archive', archive, '--yes', '-o', 'json');
      expect(result.exitCode, result.stderr).to.equal(0);
      const output = parseJson<CleanJson>(result);
      expect(output.dry_run).to.equal(false);
      expect(output.deleted).to.deep.equal(sizes(deleted));
      const after = await snapshotTables(db);
      expect(unexpectedChanges(before, after, {deleted, changed: {artifact_collection: repointed.keys()}})).to.deep.equal([]);
      for (const [collection, latest] of repointed) expect(JSON.parse(after.get('artifact_collection')!.get(collection)!).latest_id).to.equal(latest);
      expect(repointed.get(planted.repointedCollection)).to.equal(planted.repointedTo);
      expect(deleted.artifact_collection.has(planted.removedCollection)).to.equal(true);
      // The archive holds exactly the deleted rows.
      const archived = readArchive(archive);
      const nonEmpty = Object.fromEntries(Object.entries(deleted).filter(([, set]) => set.size > 0).map(([table, set]) => [table, [...set].sort()]));
      expect(archived).to.deep.equal(nonEmpty);
      expect(output.archived).to.deep.equal(Object.fromEntries(Object.entries(nonEmpty).map(([table, ids]) => [table, ids.length])));
      if (dialect === 'sqlite') expect(await db.knex.raw('pragma foreign_key_check')).to.deep.equal([]);
    });

    it('--dry-run gives the same counts and writes nothing, not even the archive', async () => {
      const archive = path.join(tempDir(), 'dry-archive');
      const dry = await cli('db', 'clean', '--older-than', CUTOFF, '--orphans', '--events', EVENTS_CUTOFF, '--archive', archive, '--dry-run', '-o', 'json');
      expect(dry.exitCode, dry.stderr).to.equal(0);
      expect(unexpectedChanges(before, await snapshotTables(db))).to.deep.equal([]);
      const real = await cli('db', 'clean', '--older-than', CUTOFF, '--orphans', '--events', EVENTS_CUTOFF, '--yes', '-o', 'json');
      expect(parseJson<CleanJson>(dry).deleted).to.deep.equal(parseJson<CleanJson>(real).deleted);
      expect(parseJson<CleanJson>(dry).dry_run).to.equal(true);
    });

    it('--state-type narrows the runs; without --orphans and --events those stay; --vacuum reports sizes', async () => {
      const {deleted, repointed} = await expectedClean(db, before, {stateTypes: ['FAILED']});
      const result = await cli('db', 'clean', '--older-than', CUTOFF, '--state-type', 'failed', '--vacuum', '--yes', '-o', 'json');
      expect(result.exitCode, result.stderr).to.equal(0);
      const output = parseJson<CleanJson>(result);
      expect(output.deleted).to.deep.equal(sizes(deleted));
      expect(unexpectedChanges(before, await snapshotTables(db), {deleted, changed: {artifact_collection: repointed.keys()}})).to.deep.equal([]);
      expect(Object.keys(output.sizes!.before).length).to.be.greaterThan(0);
      expect(Object.keys(output.sizes!.after)).to.deep.equal(Object.keys(output.sizes!.before));
    });

    it('bad input and missing confirmation: documented exit codes, database unchanged', async () => {
      for (const [args, code] of [
        [['db', 'clean'], 2],
        [['db', 'clean', '--older-than', 'yesterday-ish', '--yes'], 2],
        [['db', 'clean', '--older-than', '90d', '--state-type', 'RUNNING', '--yes'], 2],
        [['db', 'clean', '--older-than', '90d', '--events', 'soon', '--yes'], 2],
        [['db', 'clean', '--older-than', CUTOFF], 4],
      ] as Array<[string[], number]>) {
        const result = await cli(...args);
        expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).to.equal(code);
      }
      expect(unexpectedChanges(before, await snapshotTables(db))).to.deep.equal([]);
    });
  });
}

for (const fixture of PREFECT_FIXTURES) {
  for (const dialect of testDialects()) {
    describe(`db clean on ${fixture} (${dialect})`, function () {
      this.timeout(120_000);
      let url: string;
      let drop: () => Promise<void>;
      let db: Database;

      before(async function () {
        ({url, drop} = await fixtureDatabase(this, dialect, fixture));
        db = await openDatabase(resolveDatabaseTarget(url, {}), {write: true});
      });

      after(async () => {
        await db?.knex.destroy();
        await drop?.();
        removeTempDirs();
      });

      it('removes every run that ended before now, with what hangs from it, and nothing else', async () => {
        const before = await snapshotTables(db);
        const cutoff = new Date().toISOString();
        const expired = lower(
          await db.knex('flow_run').whereNull('parent_task_run_id').whereIn('state_type', TERMINAL).whereNotNull('end_time').where('end_time', '<', db.codec.encodeTimestamp(cutoff)).select('id'),
        );
        const expected = await expectedDeletion(db, {flowRuns: expired});
        const result = await runCli(['db', 'clean', '--older-than', cutoff, '--yes', '-o', 'json', '--db', url], NO_DATABASE_ENV);
        expect(result.exitCode, result.stderr).to.equal(0);
        const after = await snapshotTables(db);
        const goneCollections = [...before.get('artifact_collection')!.keys()].filter((id) => !after.get('artifact_collection')!.has(id));
        expect(unexpectedChanges(before, after, {deleted: {...expected, artifact_collection: goneCollections}, changed: {artifact_collection: after.get('artifact_collection')!.keys()}})).to.deep.equal([]);
        const {artifact_collection: _c, ...counts} = parseJson<CleanJson>(result).deleted;
        expect(counts).to.deep.equal(Object.fromEntries(Object.entries(sizes(expected)).filter(([table]) => table in counts)));
        if (dialect === 'sqlite') expect(await db.knex.raw('pragma foreign_key_check')).to.deep.equal([]);
      });
    });
  }
}
