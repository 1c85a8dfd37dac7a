import {expect} from 'chai';

import {openDatabase, type Database} from '../../src/db/connection.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {type CliResult, parseJson, runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {countsOf, expectedDeletion} from '../support/expected-deletion.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {plantRunGraph, type RunGraph} from '../support/run-graph.js';
import {snapshotTables, type TableSnapshot, unexpectedChanges} from '../support/table-snapshot.js';
import {emptyDatabase, type EmptyDatabase, NO_DATABASE_ENV, seedOrFail} from '../seed/seeded-database.js';

interface DeleteJson {
  id: string;
  deleted: Record<string, number>;
  updated: {artifact_collection: number; flow_run: number; concurrency_limit_v2: number};
}

const withoutCollections = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([table]) => table !== 'artifact_collection'));

for (const dialect of testDialects()) {
  describe(`flow-run delete / task-run delete (${dialect})`, function () {
    this.timeout(120_000);
    let database: EmptyDatabase;
    let db: Database;
    let graph: RunGraph;
    let before: TableSnapshot;

    const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--db', database.url], NO_DATABASE_ENV);
    const expectOk = (result: CliResult) => expect(result.exitCode, result.stderr).to.equal(0);

    beforeEach(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      await seedOrFail(database.url, ['--seed', '5', '--flow-runs', '40', '--flows', '3', '--deployments', '3']);
      db = await openDatabase(resolveDatabaseTarget(database.url, {}), {write: true});
      graph = await plantRunGraph(db);
      before = await snapshotTables(db);
    });

    afterEach(async () => {
      await db?.knex.destroy();
      await database?.drop();
    });

    after(removeTempDirs);

    const collection = async (key: string) => db.knex('artifact_collection').where('key', key).first();
    const slots = async (limitId: string) => Number((await db.knex('concurrency_limit_v2').where('id', limitId).first('active_slots')).active_slots);

    it('deletes a run with its subflows at any depth, and everything under them; nothing else changes', async () => {
      const expected = await expectedDeletion(db, {flowRuns: [graph.parent]});
      expect(expected.flow_run).to.have.all.keys(graph.parent, graph.subflow, graph.subSubflow);
      const result = await cli('flow-run', 'delete', graph.parent, '--yes', '--json');
      expectOk(result);
      const output = parseJson<DeleteJson>(result);
      expect(output.id).to.equal(graph.parent);
      expect(withoutCollections(output.deleted)).to.deep.equal(countsOf(expected));
      expect(output.deleted.task_run_state_cache).to.equal(2);
      expect(output.deleted.flow_run_input).to.equal(1);
      expect(output.deleted.artifact_collection).to.equal(1);
      expect(output.updated).to.deep.equal({artifact_collection: 1, flow_run: 0, concurrency_limit_v2: 1});

      const shared = await collection(graph.sharedKey);
      const older = await db.knex('artifact').where('id', graph.sharedOlderArtifact).first();
      expect(String(shared.latest_id)).to.equal(graph.sharedOlderArtifact);
      for (const column of ['data', 'description', 'type', 'created', 'flow_run_id', 'task_run_id', 'metadata_']) {
        expect(JSON.stringify(shared[column]), column).to.equal(JSON.stringify(older[column]));
      }
      expect(await collection(graph.treeOnlyKey)).to.equal(undefined);
      // Running, Pending and Cancelling each gave one slot back: 5 → 2.
      expect(await slots(graph.limit)).to.equal(2);

      const after = await snapshotTables(db);
      const sharedId = String(shared.id);
      const treeOnlyId = [...before.get('artifact_collection')!.entries()].find(([, text]) => text.includes(graph.treeOnlyKey))![0];
      expect(
        unexpectedChanges(before, after, {
          deleted: {...expected, artifact_collection: [treeOnlyId]},
          changed: {artifact_collection: [sharedId], concurrency_limit_v2: [graph.limit]},
        }),
      ).to.deep.equal([]);
      // `updated` bumped on the rows changed rather than deleted.
      const updatedOf = (snapshot: TableSnapshot, table: string, id: string) => JSON.parse(snapshot.get(table)!.get(id)!).updated;
      expect(updatedOf(after, 'artifact_collection', sharedId)).to.not.equal(updatedOf(before, 'artifact_collection', sharedId));
      expect(updatedOf(after, 'concurrency_limit_v2', graph.limit)).to.not.equal(updatedOf(before, 'concurrency_limit_v2', graph.limit));
    });

    it('--keep-subflows deletes the run only and makes its subflows top-level, as Prefect does', async () => {
      const expected = await expectedDeletion(db, {flowRuns: [graph.parent], keepSubflows: true});
      const result = await cli('flow-run', 'delete', graph.parent, '--keep-subflows', '--yes', '--json');
      expectOk(result);
      const output = parseJson<DeleteJson>(result);
      expect(withoutCollections(output.deleted)).to.deep.equal(countsOf(expected));
      expect(output.updated).to.deep.equal({artifact_collection: 1, flow_run: 1, concurrency_limit_v2: 1});
      const subflow = await db.knex('flow_run').where('id', graph.subflow).first();
      expect(subflow.parent_task_run_id).to.equal(null);
      expect(await slots(graph.limit)).to.equal(4);
      // The tree-only key's newest version was the parent's: repointed to the subflow's older one.
      expect(String((await collection(graph.treeOnlyKey)).flow_run_id)).to.equal(graph.subflow);
      const after = await snapshotTables(db);
      expect(
        unexpectedChanges(before, after, {
          deleted: expected,
          changed: {artifact_collection: [String((await collection(graph.treeOnlyKey)).id)], concurrency_limit_v2: [graph.limit], flow_run: [graph.subflow]},
        }),
      ).to.deep.equal([]);
    });

    it('--dry-run prints the same counts and writes nothing', async () => {
      const dry = await cli('flow-run', 'delete', graph.parent, '--dry-run', '--json');
      expectOk(dry);
      expect(unexpectedChanges(before, await snapshotTables(db))).to.deep.equal([]);
      const real = await cli('flow-run', 'delete', graph.parent, '--yes', '--json');
      expectOk(real);
      expect(parseJson<DeleteJson>(dry)).to.deep.equal(parseJson<DeleteJson>(real));
    });

    it('task-run delete removes the task run, its states, cache rows, logs, artifacts and subflows', async () => {
      const expected = await expectedDeletion(db, {taskRuns: [graph.parentTask]});
      expect(expected.flow_run).to.have.all.keys(graph.subflow, graph.subSubflow);
      const result = await cli('task-run', 'delete', graph.parentTask, '--yes', '--json');
      expectOk(result);
      expect(withoutCollections(parseJson<DeleteJson>(result).deleted)).to.deep.equal(countsOf(expected));
      const after = await snapshotTables(db);
      const changedCollections = [...(after.get('artifact_collection')?.keys() ?? [])];
      const goneCollections = [...before.get('artifact_collection')!.keys()].filter((id) => !after.get('artifact_collection')!.has(id));
      expect(
        unexpectedChanges(before, after, {
          deleted: {...expected, artifact_collection: goneCollections},
          changed: {artifact_collection: changedCollections, concurrency_limit_v2: [graph.limit]},
        }),
      ).to.deep.equal([]);
      expect(await slots(graph.limit)).to.equal(3);
    });

    it('deletes in bulk by filter: exactly the matching runs, one result each', async () => {
      const flow = await db.knex('flow').join('flow_run', 'flow_run.flow_id', 'flow.id').whereNull('flow_run.parent_task_run_id').orderBy('flow.name').first('flow.name', 'flow.id');
      const matching = ((await db.knex('flow_run').where('flow_id', flow.id).select('id')) as Array<{id: string}>).map((r) => String(r.id));
      const expected = await expectedDeletion(db, {flowRuns: matching});
      const result = await cli('flow-run', 'delete', '--flow-name', flow.name, '--yes', '--json');
      expectOk(result);
      const output = parseJson<DeleteJson[]>(result);
      const reported = output.reduce<Record<string, number>>((sum, run) => {
        for (const [table, n] of Object.entries(run.deleted)) sum[table] = (sum[table] ?? 0) + n;
        return sum;
      }, {});
      expect(withoutCollections(reported)).to.deep.equal(countsOf(expected));
      // One result per selected run, except a run already deleted as the subflow of another.
      const reportedIds = output.map((run) => run.id);
      expect(new Set(reportedIds).size).to.equal(reportedIds.length);
      expect(matching).to.include.members(reportedIds);
      const [{n}] = await db.knex('flow_run').where('flow_id', flow.id).count({n: '*'});
      expect(Number(n)).to.equal(0);
    });

    it('refuses bad or missing selections and unconfirmed deletes, writing nothing', async () => {
      const cases: Array<[string[], number]> = [
        [['flow-run', 'delete'], 2],
        [['flow-run', 'delete', graph.parent, '--flow-name', 'x'], 2],
        [['flow-run', 'delete', 'not-an-id!'], 2],
        [['flow-run', 'delete', '00000000-0000-4000-8000-000000000000', '--yes'], 3],
        [['flow-run', 'delete', graph.parent], 4],
        [['task-run', 'delete', '--all'], 4],
        [['flow-run', 'delete', '--state-type', 'NOPE', '--yes'], 2],
      ];
      for (const [args, code] of cases) {
        const result = await cli(...args);
        expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).to.equal(code);
        expect(result.stderr.trim().split('\n')).to.have.length(1);
      }
      expect(unexpectedChanges(before, await snapshotTables(db))).to.deep.equal([]);
    });
  });
}

for (const fixture of PREFECT_FIXTURES) {
  for (const dialect of testDialects()) {
    describe(`flow-run delete on ${fixture} (${dialect})`, function () {
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

      it('--all: the dry run counts what plain SQL finds, the delete removes exactly that', async () => {
        const all = ((await db.knex('flow_run').select('id')) as Array<{id: string}>).map((r) => String(r.id).toLowerCase());
        const expected = await expectedDeletion(db, {flowRuns: all});
        const before = await snapshotTables(db);
        const total = (result: CliResult) =>
          parseJson<DeleteJson[]>(result).reduce<Record<string, number>>((sum, run) => {
            for (const [table, n] of Object.entries(run.deleted)) sum[table] = (sum[table] ?? 0) + n;
            return sum;
          }, {});
        const dry = await runCli(['flow-run', 'delete', '--all', '--dry-run', '--json', '--db', url], NO_DATABASE_ENV);
        expect(dry.exitCode, dry.stderr).to.equal(0);
        expect(withoutCollections(total(dry))).to.deep.equal(countsOf(expected));
        expect(unexpectedChanges(before, await snapshotTables(db))).to.deep.equal([]);

        const real = await runCli(['flow-run', 'delete', '--all', '--yes', '--json', '--db', url], NO_DATABASE_ENV);
        expect(real.exitCode, real.stderr).to.equal(0);
        expect(total(real)).to.deep.equal(total(dry));
        const after = await snapshotTables(db);
        const goneCollections = [...before.get('artifact_collection')!.keys()].filter((id) => !after.get('artifact_collection')!.has(id));
        expect(unexpectedChanges(before, after, {deleted: {...expected, artifact_collection: goneCollections}, changed: {artifact_collection: after.get('artifact_collection')!.keys()}})).to.deep.equal([]);
        if (dialect === 'sqlite') expect(await db.knex.raw('pragma foreign_key_check')).to.deep.equal([]);
      });
    });
  }
}
