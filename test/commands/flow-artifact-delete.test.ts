import {expect} from 'chai';

import {openDatabase, type Database} from '../../src/db/connection.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {countsOf, expectedDeletion} from '../support/expected-deletion.js';
import {plantRunGraph, type RunGraph} from '../support/run-graph.js';
import {snapshotTables, type TableSnapshot, unexpectedChanges} from '../support/table-snapshot.js';
import {emptyDatabase, type EmptyDatabase, NO_DATABASE_ENV, seedOrFail} from '../seed/seeded-database.js';

const ids = (rows: Array<{id: string}>) => rows.map((r) => String(r.id).toLowerCase());

for (const dialect of testDialects()) {
  describe(`flow delete / artifact delete (${dialect})`, function () {
    this.timeout(120_000);
    let database: EmptyDatabase;
    let db: Database;
    let graph: RunGraph;
    let before: TableSnapshot;

    const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--db', database.url], NO_DATABASE_ENV);

    beforeEach(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      await seedOrFail(database.url, ['--seed', '7', '--flow-runs', '40', '--flows', '3', '--deployments', '3']);
      db = await openDatabase(resolveDatabaseTarget(database.url, {}), {write: true});
      graph = await plantRunGraph(db);
      before = await snapshotTables(db);
    });

    afterEach(async () => {
      await db?.knex.destroy();
      await database?.drop();
    });

    after(removeTempDirs);

    it('flow delete removes its deployments, their schedules and limits, its runs with everything under them, and the flow', async () => {
      const flow = await db.knex('deployment').where('id', graph.deployment).first('flow_id');
      const flowId = String(flow.flow_id);
      const flowName = String((await db.knex('flow').where('id', flowId).first('name')).name);
      const runs = ids(await db.knex('flow_run').where('flow_id', flowId).select('id'));
      const expected = await expectedDeletion(db, {flowRuns: runs});
      const deployments = ids(await db.knex('deployment').where('flow_id', flowId).select('id'));
      const schedules = ids(await db.knex('deployment_schedule').whereIn('deployment_id', deployments).select('id'));
      const versions = ids(await db.knex('deployment_version').whereIn('deployment_id', deployments).select('id'));

      const dry = await cli('flow', 'delete', flowName, '--dry-run', '--json');
      expect(dry.exitCode, dry.stderr).to.equal(0);
      expect(unexpectedChanges(before, await snapshotTables(db))).to.deep.equal([]);

      const result = await cli('flow', 'delete', flowName, '--yes', '--json');
      expect(result.exitCode, result.stderr).to.equal(0);
      const output = parseJson<{id: string; deleted: Record<string, number>}>(result);
      expect(parseJson(dry)).to.deep.equal(output);
      const {artifact_collection: _collections, ...runCounts} = output.deleted;
      expect(runCounts).to.deep.equal({
        ...countsOf(expected),
        flow: 1,
        deployment: deployments.length,
        deployment_schedule: schedules.length,
        deployment_version: versions.length,
        concurrency_limit_v2: 1,
      });
      const after = await snapshotTables(db);
      const gone = (table: string) => [...before.get(table)!.keys()].filter((id) => !after.get(table)!.has(id));
      expect(
        unexpectedChanges(before, after, {
          deleted: {
            ...expected, flow: [flowId], deployment: deployments, deployment_schedule: schedules, deployment_version: versions,
            concurrency_limit_v2: [graph.limit], artifact_collection: gone('artifact_collection'),
          },
          changed: {artifact_collection: after.get('artifact_collection')!.keys(), flow_run: after.get('flow_run')!.keys()},
        }),
      ).to.deep.equal([]);
      // Runs of other flows changed only where they were subflows of a deleted run (none here).
      for (const [id, text] of after.get('flow_run')!) expect(text, id).to.equal(before.get('flow_run')!.get(id));
    });

    it('artifact delete KEY removes every version and the collection', async () => {
      const versions = ids(await db.knex('artifact').where('key', graph.sharedKey).select('id'));
      const collection = String((await db.knex('artifact_collection').where('key', graph.sharedKey).first('id')).id);
      const result = await cli('artifact', 'delete', graph.sharedKey, '--yes', '--json');
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(parseJson(result)).to.deep.equal({key: graph.sharedKey, id: null, deleted: {artifact: versions.length, artifact_collection: 1}, updated: {artifact_collection: 0}});
      expect(unexpectedChanges(before, await snapshotTables(db), {deleted: {artifact: versions, artifact_collection: [collection]}})).to.deep.equal([]);
    });

    it('artifact delete ID of the latest version repoints the collection to the newest remaining one', async () => {
      const latest = String((await db.knex('artifact_collection').where('key', graph.sharedKey).first('latest_id')).latest_id);
      const next = await db.knex('artifact').where('key', graph.sharedKey).whereNot('id', latest).orderBy('created', 'desc').first();
      const dry = await cli('artifact', 'delete', latest, '--dry-run', '--json');
      expect(dry.exitCode, dry.stderr).to.equal(0);
      expect(unexpectedChanges(before, await snapshotTables(db))).to.deep.equal([]);
      const result = await cli('artifact', 'delete', latest.slice(0, 13), '--yes', '--json');
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(parseJson(result)).to.deep.equal(parseJson(dry));
      expect(parseJson<{deleted: object; updated: object}>(result).updated).to.deep.equal({artifact_collection: 1});
      const collection = await db.knex('artifact_collection').where('key', graph.sharedKey).first();
      expect(String(collection.latest_id)).to.equal(String(next.id));
      for (const column of ['data', 'description', 'type', 'created', 'flow_run_id', 'task_run_id', 'metadata_']) {
        expect(JSON.stringify(collection[column]), column).to.equal(JSON.stringify(next[column]));
      }
      expect(unexpectedChanges(before, await snapshotTables(db), {deleted: {artifact: [latest]}, changed: {artifact_collection: [String(collection.id)]}})).to.deep.equal([]);
    });

    it('refuses unknown names and missing confirmation, writing nothing', async () => {
      for (const [args, code] of [
        [['flow', 'delete', 'no-such-flow', '--yes'], 3],
        [['artifact', 'delete', 'no-such-key', '--yes'], 3],
        [['flow', 'delete', String((await db.knex('flow').first('name')).name)], 4],
        [['artifact', 'delete', graph.sharedKey], 4],
      ] as Array<[string[], number]>) {
        const result = await cli(...args);
        expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).to.equal(code);
      }
      expect(unexpectedChanges(before, await snapshotTables(db))).to.deep.equal([]);
    });
  });
}
