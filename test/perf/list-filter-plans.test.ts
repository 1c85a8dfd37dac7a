import {expect} from 'chai';
import type {Knex} from 'knex';

import {type Database, openDatabase} from '../../src/db/connection.js';
import {readSchemaInfo} from '../../src/db/schema-info.js';
import {sqlDialect} from '../../src/db/sql-dialect.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {COUNT_BOUND, countUpTo, repositoryContext, type RepositoryContext} from '../../src/repositories/common.js';
import {type FlowRunFilter, listFlowRuns, RUN_SORT_FIELDS, type RunSortField} from '../../src/repositories/flow-runs.js';
import {readFlowRunLogs} from '../../src/repositories/logs.js';
import {listTaskRuns, type TaskRunFilter} from '../../src/repositories/task-runs.js';
import {listWorkQueues} from '../../src/repositories/work-queues.js';
import {listNotice} from '../../src/render/view.js';
import {captureQueries, type CapturedQuery} from '../support/capture-queries.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {emptyDatabase, type EmptyDatabase, openForReading, SEED_NOW, seedOrFail} from '../seed/seeded-database.js';

/**
 * Every filter flag of the run lists (and the other lists that read run tables), checked
 * through the query plan of every statement the repository sends: none may scan a run table
 * unless it walks an index and stops at a LIMIT. Only tags have no index in Prefect's schema:
 * a tag filter walks the sort index (the list) or the table (the bounded count) until enough
 * rows matched.
 */

interface Facts {
  runId: string;
  deploymentId: string;
  flowName: string;
  poolName: string;
  queueName: string;
  tag: string;
}

const DAY_BEFORE_SEED = new Date(Date.parse(SEED_NOW) - 86_400_000).toISOString();
const LATEST_FIRST = {field: 'expected-start', direction: 'desc'} as const;

const FLOW_RUN_FILTERS: Record<string, (facts: Facts) => FlowRunFilter> = {
  '--flow-name': (f) => ({flowNames: [f.flowName]}),
  '--deployment': (f) => ({deployment: f.deploymentId}),
  '--tag': (f) => ({tags: [f.tag]}),
  '--work-pool': (f) => ({workPool: f.poolName}),
  '--work-queue': (f) => ({workQueue: f.queueName}),
  '--parent': (f) => ({parent: f.runId}),
  '--since': () => ({expectedSince: DAY_BEFORE_SEED}),
  '--until': () => ({expectedUntil: DAY_BEFORE_SEED}),
  '--started-since': () => ({startedSince: DAY_BEFORE_SEED}),
  '--started-before': () => ({startedBefore: DAY_BEFORE_SEED}),
  '--ended-since': () => ({endedSince: DAY_BEFORE_SEED}),
  '--ended-before': () => ({endedBefore: DAY_BEFORE_SEED}),
  '--state-type COMPLETED (most runs)': () => ({states: {types: ['COMPLETED']}}),
  '--state-type FAILED (few runs)': () => ({states: {types: ['FAILED']}}),
  '--state Late': () => ({states: {names: ['Late']}}),
  '--state a custom name': () => ({states: {names: ['Flaky']}}),
  'no filter': () => ({}),
};

const TASK_RUN_FILTERS: Record<string, (facts: Facts) => TaskRunFilter> = {
  '--flow-run': (f) => ({flowRun: f.runId}),
  '--tag': (f) => ({tags: [f.tag]}),
  '--started-since': () => ({startedSince: DAY_BEFORE_SEED}),
  '--started-before': () => ({startedBefore: DAY_BEFORE_SEED}),
  '--ended-since': () => ({endedSince: DAY_BEFORE_SEED}),
  '--ended-before': () => ({endedBefore: DAY_BEFORE_SEED}),
  '--state-type COMPLETED': () => ({states: {types: ['COMPLETED']}}),
  '--state-type FAILED': () => ({states: {types: ['FAILED']}}),
  '--state Late': () => ({states: {names: ['Late']}}),
  'no filter': () => ({}),
};

const INDEXED_SORTS = (Object.keys(RUN_SORT_FIELDS) as RunSortField[]).filter((field) => RUN_SORT_FIELDS[field].indexed);

const RUN_TABLE = /\bfrom [`"]?(flow_run|task_run|log)[`"]?(\s|$)/;

/** The plan's lines, as the planner chooses them from the analysed data. */
async function planOf(db: Database, {sql, bindings}: CapturedQuery): Promise<string[]> {
  const explain = sqlDialect(db.knex, db.dialect).explain(sql.replace(/\$\d+/g, '?'));
  if (db.dialect === 'sqlite') {
    const rows: Array<{detail: string}> = await db.knex.raw(explain, bindings as Knex.RawBinding[]);
    return rows.map((row) => row.detail);
  }
  const result: {rows: Array<Record<string, string>>} = await db.knex.raw(explain, bindings as Knex.RawBinding[]);
  return result.rows.map((row) => row['QUERY PLAN']);
}

/** Copies of every run and log row the seed wrote, so PostgreSQL's planner plans for a big database. */
const POSTGRES_COPIES = 24;

/**
 * Adds `copies` copies of every row of `table` with fresh ids, each column as it was except
 * those `changed` rewrites (SQL over the copy number `n`, to keep unique keys unique). The
 * copies keep the seed's mix of states, times and tags, so each filter keeps its selectivity
 * while the tables grow past where a sequential scan is the planner's cheap answer.
 */
async function addCopies(knex: Knex, table: string, copies: number, changed: Record<string, string> = {}): Promise<void> {
  const columns = Object.keys(await knex(table).columnInfo()).filter((column) => column !== 'id');
  const values = columns.map((column) => changed[column] ?? knex.raw('??', [column]).toString());
  await knex.raw(
    `insert into ?? (id, ${columns.map(() => '??').join(', ')}) select gen_random_uuid(), ${values.join(', ')} from ?? cross join generate_series(1, ?) as n`,
    [table, ...columns, table, copies],
  );
}

async function growPostgresRunTables(knex: Knex): Promise<void> {
  await addCopies(knex, 'flow_run', POSTGRES_COPIES, {idempotency_key: "idempotency_key || '#' || n"});
  await addCopies(knex, 'task_run', POSTGRES_COPIES, {dynamic_key: "dynamic_key || '#' || n"});
  await addCopies(knex, 'log', POSTGRES_COPIES);
  await knex.raw('analyze');
}

/**
 * Task-run names repeat across flow runs ("extract-0" in each), in groups of equal names. With
 * one task run per flow run the seed names them all alike, a single group as big as the table,
 * which no index can sort by id; so the name sorts are checked on 256 groups, the last two hex
 * digits of the id (random in a UUIDv7).
 */
async function spreadTaskRunNames(url: string): Promise<void> {
  const {knex} = await openDatabase(resolveDatabaseTarget(url, {}), {write: true});
  try {
    await knex.raw("update task_run set name = 'task-' || substr(cast(id as text), 35, 2)");
    await knex.raw('analyze');
  } finally {
    await knex.destroy();
  }
}

/**
 * The ways a plan reads a whole run table: SQLite's bare `SCAN flow_run` (or a full index walk
 * with no LIMIT to stop it); PostgreSQL's sequential scan, unless a Limit node right above it
 * stops it (the planner takes that for a bounded count whose filter matches so many runs that
 * the bound is soon reached), or an index scan with no condition outside a Limit node.
 */
function wholeTableReads(dialect: string, sql: string, plan: string[], tagsOnly: boolean): string[] {
  const limited = /\blimit\b/i.test(sql);
  if (dialect === 'sqlite') {
    return plan.filter((line) => {
      const scan = /^SCAN (flow_run|task_run|log)\b(.*)$/.exec(line);
      if (!scan) return false;
      if (!limited) return true;
      // A LIMIT stops an index walk early; a bare table scan is only the tag count's way.
      return !/USING (COVERING )?INDEX/.test(scan[2]) && !tagsOnly;
    });
  }
  return plan.filter((line, index) => {
    if (/Seq Scan on (flow_run|task_run|log)\b/.test(line)) return !(limited && tagsOnly) && !/^Limit\b/.test(parentNode(plan, index));
    if (!/(Index Scan|Index Only Scan)( Backward)? using \S+ on (flow_run|task_run|log)\b/.test(line)) return false;
    const depth = line.search(/\S/);
    const detail = [];
    for (const next of plan.slice(index + 1)) {
      if (next.search(/\S/) <= depth || /->/.test(next)) break;
      detail.push(next);
    }
    return !detail.some((next) => /Index Cond/.test(next)) && !limited;
  });
}

const NAME_ORDER = /\border by [`"]?task_run[`"]?\.[`"]?name\b/i;
const NAME_INDEX = /\bix_task_run_+name/;

/**
 * How a task-run list by name could sort more than a group of equal names. Prefect indexes
 * `name` alone, so ties by id are always sorted, group by group; what must not happen is a
 * read of the whole filtered selection out of name order followed by one big sort. SQLite:
 * a scan of task_run not along a name index, or a scan sorted by the whole ORDER BY rather
 * than by its last term. PostgreSQL: a plain Sort by name over a read that no index condition
 * bounds (an Incremental Sort on the presorted name is the group-by-group sort). A read bounded
 * by a filter's index (SQLite's SEARCH, an Index Cond) may be sorted whole: it is small.
 */
function sortsBeyondNameGroups(dialect: string, sql: string, plan: string[], tagsOnly: boolean): string[] {
  // Tags have no index: the planner cannot tell a tag's share and may read every task run
  // (as the tag count does) into a top-20 heap sort, bounded in memory.
  if (!NAME_ORDER.test(sql) || (tagsOnly && dialect === 'postgres')) return [];
  if (dialect === 'sqlite') {
    const scans = plan.filter((line) => /^SCAN task_run\b/.test(line));
    return [
      ...scans.filter((line) => !NAME_INDEX.test(line)),
      ...(scans.length > 0 ? plan.filter((line) => /^USE TEMP B-TREE FOR ORDER BY\b/.test(line)) : []),
    ];
  }
  const bounded = plan.some((line) => /(Index Cond|Recheck Cond):/.test(line));
  return plan.filter((line, index) => /^\s*(->\s*)?Sort\b/.test(line) && /Sort Key: (task_run\.)?name\b/.test(plan[index + 1] ?? '') && !bounded);
}

/** The plan node directly above line `index` of a PostgreSQL plan ('' for the top node). */
function parentNode(plan: string[], index: number): string {
  const depth = plan[index].search(/\S/);
  for (let above = index - 1; above >= 0; above--) {
    const line = plan[above];
    const node = above === 0 || /->/.test(line);
    if (node && line.search(/\S/) < depth) return line.replace(/^\s*(->\s*)?/, '');
  }
  return '';
}

async function expectNoWholeTableRead(db: Database, action: () => Promise<unknown>, {tagsOnly = false, boundedCounts = false} = {}): Promise<void> {
  const statements = (await captureQueries(db.knex, action)).filter((query) => RUN_TABLE.test(query.sql.replaceAll('`', '"')));
  expect(statements, 'statements on run tables').not.to.be.empty;
  for (const statement of statements) {
    // A run list's counts (its "20 of N" notice, its choice of index) stop at a bound.
    if (boundedCounts && /count\(\*\)/i.test(statement.sql)) expect(statement.sql, 'an unbounded count').to.match(/\blimit\b/i);
    const plan = await planOf(db, statement);
    expect(wholeTableReads(db.dialect, statement.sql, plan, tagsOnly), `${statement.sql}\n${plan.join('\n')}`).to.deep.equal([]);
    expect(sortsBeyondNameGroups(db.dialect, statement.sql, plan, tagsOnly), `${statement.sql}\n${plan.join('\n')}`).to.deep.equal([]);
  }
}

for (const dialect of testDialects()) {
  describe(`every list filter reads run tables through an index (${dialect})`, function () {
    this.timeout(180_000);
    let database: EmptyDatabase;
    let db: Database;
    let ctx: RepositoryContext;
    let facts: Facts;
    let runCount: number;

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      await seedOrFail(database.url, ['--flow-runs', '4000', '--task-runs-per-flow-run', '1', '--logs-per-run', '2']);
      await spreadTaskRunNames(database.url);
      db = await openForReading(database.url);
      if (dialect === 'postgres') await growPostgresRunTables(db.knex);
      ctx = repositoryContext(db, await readSchemaInfo(db.knex, db.dialect));
      runCount = Number((await db.knex('flow_run').count({count: '*'}))[0].count);
      const run = await db.knex('flow_run').first('id', 'deployment_id').whereNotNull('deployment_id').orderBy('id');
      const queue = await db.knex('work_queue').join('work_pool', 'work_pool.id', 'work_queue.work_pool_id').first({queue: 'work_queue.name', pool: 'work_pool.name'});
      facts = {
        runId: String(run.id),
        deploymentId: String(run.deployment_id),
        flowName: (await db.knex('flow').first('name').orderBy('name')).name,
        poolName: queue.pool,
        queueName: queue.queue,
        tag: 'auto-scheduled',
      };
    });

    after(async () => {
      await db?.knex.destroy();
      await database?.drop();
      removeTempDirs();
    });

    for (const [flag, filter] of Object.entries(FLOW_RUN_FILTERS)) {
      for (const field of INDEXED_SORTS) {
        it(`flow-run ls ${flag} --sort ${field}`, async () => {
          const sort = {field, direction: RUN_SORT_FIELDS[field].defaultDirection};
          await expectNoWholeTableRead(db, () => listFlowRuns(ctx, {filter: filter(facts), sort, limit: 20}), {tagsOnly: flag === '--tag', boundedCounts: true});
        });
      }
    }

    for (const [flag, filter] of Object.entries(TASK_RUN_FILTERS)) {
      for (const field of INDEXED_SORTS) {
        it(`task-run ls ${flag} --sort ${field}`, async () => {
          const sort = {field, direction: RUN_SORT_FIELDS[field].defaultDirection};
          await expectNoWholeTableRead(db, () => listTaskRuns(ctx, {filter: filter(facts), sort, limit: 20}), {tagsOnly: flag === '--tag', boundedCounts: true});
        });
      }
    }

    it('work-queue ls (run counts per queue)', async () => {
      await expectNoWholeTableRead(db, () => listWorkQueues(ctx, {limit: 20}, Date.parse(SEED_NOW)));
    });

    it('flow-run logs --head / --tail', async () => {
      await expectNoWholeTableRead(db, () => readFlowRunLogs(ctx, facts.runId, {head: 1}));
      await expectNoWholeTableRead(db, () => readFlowRunLogs(ctx, facts.runId, {tail: 1, minLevel: 20}));
    });

    it('the guard flags a read of the whole table that a LIMIT cannot stop', async () => {
      // Neither run_count nor created has an index: every run is read and sorted before the LIMIT.
      const query = db.knex('flow_run').select('id').where('run_count', '>=', 0).orderBy('created', 'desc').limit(20);
      const {sql, bindings} = query.toSQL().toNative();
      const plan = await planOf(db, {sql, bindings});
      expect(wholeTableReads(db.dialect, sql, plan, false), plan.join('\n')).to.have.length(1);
    });

    it('the guard flags a sort by name of the whole table', async () => {
      // Walked in the order of another index (SQLite), or with no group-by-group sort (PostgreSQL),
      // every task run is sorted by name and id before the LIMIT.
      const {sql, bindings} = db.knex('task_run').select('id').orderBy([{column: 'task_run.name'}, {column: 'task_run.id'}]).limit(20).toSQL().toNative();
      const plan =
        db.dialect === 'sqlite'
          ? await planOf(db, {sql: sql.replace(/ from [`"]task_run[`"]/, '$& indexed by ix_task_run__flow_run_id'), bindings})
          : await db.knex.transaction(async (trx) => {
              await trx.raw('set local enable_incremental_sort = off');
              return planOf({...db, knex: trx}, {sql, bindings});
            });
      expect(sortsBeyondNameGroups(db.dialect, sql, plan, false), plan.join('\n')).not.to.be.empty;
    });

    it('countUpTo stops at its bound, and counts exactly below it', async () => {
      expect(await countUpTo(db.knex('flow_run'), 100)).to.equal(100);
      expect(await countUpTo(db.knex('flow_run').where('id', facts.runId), 100)).to.equal(1);
      expect(await countUpTo(db.knex('flow_run').orderBy('name'), runCount + 1)).to.equal(runCount);
    });

    it('a cut list counts its matches only up to the bound', async () => {
      const result = await listFlowRuns(ctx, {filter: {}, sort: LATEST_FIRST, limit: 5});
      expect(result.rows).to.have.length(5);
      if (runCount > COUNT_BOUND) {
        expect(result).to.include({total: COUNT_BOUND, totalIsLowerBound: true});
      } else {
        expect(result.total).to.equal(runCount);
        expect(result.totalIsLowerBound).to.equal(undefined);
      }
    });
  });
}

describe('the notice of a cut list', () => {
  it('says "more than" when counting stopped at the bound', () => {
    const rows = [{id: 'a'}, {id: 'b'}];
    expect(listNotice({noun: 'flow runs', rows, columns: [], total: 10_000, totalIsLowerBound: true})).to.equal(
      '2 of more than 10,000 flow runs; --limit N or --all for more',
    );
    expect(listNotice({noun: 'flow runs', rows, columns: [], total: 1234})).to.equal('2 of 1,234 flow runs; --limit N or --all for more');
  });
});
