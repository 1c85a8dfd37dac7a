import {expect} from 'chai';
import Database from 'better-sqlite3';

import {openDatabase, type Database as Db} from '../../src/db/connection.js';
import {readSchemaInfo} from '../../src/db/schema-info.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {CliError} from '../../src/errors.js';
import {repositoryContext, type RepositoryContext} from '../../src/repositories/common.js';
import {inTransaction} from '../../src/services/batches.js';
import {selectFlowRuns, selectTaskRuns, type RunSelection} from '../../src/services/run-selection.js';
import {copyFixture, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

const FIXTURE = 'prefect-3.x-9e83011d1f2a.db';

async function drain(db: Db, selection: RunSelection, size: number): Promise<string[][]> {
  const pages: string[][] = [];
  for (;;) {
    const page = await inTransaction(db, (trx) => selection.source.next(trx, size));
    if (page.length === 0) return pages;
    pages.push(page);
  }
}

async function exitCodeOf(promise: Promise<unknown>): Promise<number | undefined> {
  return promise.then(
    () => undefined,
    (error) => (error instanceof CliError ? error.exitCode : -1),
  );
}

describe('run selection: expected values from the fixture by plain SQL', () => {
  // Computed once from the SQLite original; PostgreSQL holds the same rows.
  let completed: string[];
  let allFlowRuns: string[];
  let taskRunsOfFirst: {flowRunId: string; ids: string[]};

  before(() => {
    const sqlite = new Database(copyFixture(FIXTURE), {readonly: true});
    completed = sqlite.prepare(`select id from flow_run where state_type = 'COMPLETED' order by id`).pluck().all() as string[];
    allFlowRuns = sqlite.prepare('select id from flow_run order by id').pluck().all() as string[];
    const flowRunId = sqlite.prepare('select flow_run_id from task_run group by flow_run_id order by count(*) desc limit 1').pluck().get() as string;
    taskRunsOfFirst = {flowRunId, ids: sqlite.prepare('select id from task_run where flow_run_id = ? order by id').pluck().all(flowRunId) as string[]};
    sqlite.close();
  });

  after(removeTempDirs);

  for (const dialect of testDialects()) {
    describe(`on ${dialect}`, () => {
      let db: Db;
      let ctx: RepositoryContext;
      let drop: () => Promise<void>;

      before(async function () {
        const fixture = await fixtureDatabase(this, dialect, FIXTURE);
        drop = fixture.drop;
        db = await openDatabase(resolveDatabaseTarget(fixture.url), {write: true});
        ctx = repositoryContext(db, await readSchemaInfo(db.knex, db.dialect));
      });

      after(async () => {
        await db?.knex.destroy();
        await drop?.();
      });

      it('pages a state filter in id order and counts it', async () => {
        expect(completed.length).to.be.greaterThan(1);
        const selection = await selectFlowRuns(ctx, {ids: [], filter: {states: {types: ['COMPLETED']}}});
        expect(selection).to.include({count: completed.length, byIds: false});
        const pages = await drain(db, selection, 1);
        expect(pages.flat()).to.deep.equal(completed);
        expect(pages.every((page) => page.length === 1)).to.equal(true);
      });

      it('takes every run only with --all', async () => {
        const selection = await selectFlowRuns(ctx, {ids: [], filter: {}, all: true});
        expect((await drain(db, selection, 500)).flat()).to.deep.equal(allFlowRuns);
        expect(await exitCodeOf(selectFlowRuns(ctx, {ids: [], filter: {}}))).to.equal(2);
      });

      it('resolves ids and unique prefixes once each, and refuses ids mixed with filters', async () => {
        const [first, second] = allFlowRuns;
        const selection = await selectFlowRuns(ctx, {ids: [first.slice(0, 30), second, first], filter: {}});
        expect(selection).to.include({count: 2, byIds: true});
        expect((await drain(db, selection, 10)).flat()).to.deep.equal([first, second]);
        expect(await exitCodeOf(selectFlowRuns(ctx, {ids: [first], filter: {tags: ['x']}}))).to.equal(2);
        expect(await exitCodeOf(selectFlowRuns(ctx, {ids: ['00000000-0000-4000-8000-000000000000'], filter: {}}))).to.equal(3);
        expect(await exitCodeOf(selectFlowRuns(ctx, {ids: ["x' or 1=1 --"], filter: {}}))).to.equal(2);
      });

      it('selects task runs by flow run', async () => {
        const selection = await selectTaskRuns(ctx, {ids: [], filter: {flowRun: taskRunsOfFirst.flowRunId}});
        expect(selection.count).to.equal(taskRunsOfFirst.ids.length);
        expect((await drain(db, selection, 3)).flat()).to.deep.equal(taskRunsOfFirst.ids);
      });
    });
  }
});
