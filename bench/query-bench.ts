import Database from 'better-sqlite3';
import pg from 'pg';

import {openDatabase} from '../src/db/connection.js';
import {readSchemaInfo} from '../src/db/schema-info.js';
import {resolveDatabaseTarget} from '../src/db/url.js';
import {repositoryContext, type RepositoryContext} from '../src/repositories/common.js';
import {findParentFlowRun, listFlowRuns, listSubflowRuns, readFlowRun} from '../src/repositories/flow-runs.js';
import {readStateHistory} from '../src/repositories/run-states.js';
import {countTaskRunsByStateType} from '../src/repositories/task-runs.js';
import {captureQueries, type CapturedQuery} from '../test/support/capture-queries.js';
import {timeRepeated, type Timing} from './measure.js';

export interface QueryFigure {
  name: string;
  cli: Timing;
  floor: Timing;
}

const LATEST_FIRST = {field: 'expected-start', direction: 'desc'} as const;

/**
 * What `flow-run ls` and `flow-run inspect` do, through the CLI's own repository functions
 * (the list includes the count behind its "20 of N" notice).
 */
const OPERATIONS: Record<string, (ctx: RepositoryContext, runId: string) => Promise<unknown>> = {
  'flow-run ls --limit 20': (ctx) => listFlowRuns(ctx, {filter: {}, sort: LATEST_FIRST, limit: 20}),
  'flow-run ls --state-type FAILED': (ctx) =>
    listFlowRuns(ctx, {filter: {states: {types: ['FAILED']}}, sort: LATEST_FIRST, limit: 20}),
  'flow-run ls --state-type COMPLETED': (ctx) =>
    listFlowRuns(ctx, {filter: {states: {types: ['COMPLETED']}}, sort: LATEST_FIRST, limit: 20}),
  'flow-run inspect': async (ctx, runId) => {
    const run = await readFlowRun(ctx, runId);
    await readStateHistory(ctx, 'flow_run', run.id);
    await countTaskRunsByStateType(ctx, run.id);
    await listSubflowRuns(ctx, run.id);
    await findParentFlowRun(ctx, run.parent_task_run_id);
  },
};

export async function benchQueries(url: string, iterations: number): Promise<QueryFigure[]> {
  const db = await openDatabase(resolveDatabaseTarget(url, {}), {});
  try {
    const ctx = repositoryContext(db, await readSchemaInfo(db.knex, db.dialect));
    const ids: string[] = (await db.knex('flow_run').select('id').whereNotNull('start_time').orderBy('id').limit(200)).map((r: {id: string}) => r.id);
    const floor = await bareDriver(db.dialect, url);
    const figures: QueryFigure[] = [];
    for (const [name, operation] of Object.entries(OPERATIONS)) {
      // The floor replays exactly the statements the CLI sent, through the bare driver.
      // One at a time: a capture records every statement sent while it listens.
      const statements: CapturedQuery[][] = [];
      for (const id of ids) statements.push(await captureQueries(db.knex, () => operation(ctx, id)));
      const cli = await timeRepeated(iterations, (i) => operation(ctx, ids[i % ids.length]));
      const bare = await timeRepeated(iterations, (i) => floor.run(statements[i % ids.length]));
      figures.push({name, cli, floor: bare});
    }
    await floor.close();
    return figures;
  } finally {
    await db.knex.destroy();
  }
}

/**
 * The plan of every statement each operation sends, as the database reports it
 * (EXPLAIN QUERY PLAN / EXPLAIN): shows that Prefect's indexes serve them at this size.
 */
export async function queryPlans(url: string): Promise<Array<{name: string; sql: string; plan: string}>> {
  const db = await openDatabase(resolveDatabaseTarget(url, {}), {});
  try {
    const ctx = repositoryContext(db, await readSchemaInfo(db.knex, db.dialect));
    const [{id}] = await db.knex('flow_run').select('id').whereNotNull('start_time').orderBy('id').limit(1);
    const plans = [];
    for (const [name, operation] of Object.entries(OPERATIONS)) {
      for (const {sql, bindings} of await captureQueries(db.knex, () => operation(ctx, id))) {
        const explain = ctx.sql.explain(sql.replace(/\$\d+/g, '?'));
        const result = await db.knex.raw(explain, bindings as never);
        const rows: Array<Record<string, string>> = db.dialect === 'sqlite' ? result : result.rows;
        const plan = rows
          .map((row) => (row.detail ?? row['QUERY PLAN']).trim())
          .filter((line) => /Scan|SCAN|SEARCH|Sort|B-TREE/.test(line))
          .map((line) => line.replace(/\s*\(cost=[^)]*\)/, '').replace(/^->\s*/, ''))
          .join(' / ');
        plans.push({name, sql: sql.length > 110 ? `${sql.slice(0, 30)} … ${sql.slice(-75)}` : sql, plan});
      }
    }
    return plans;
  } finally {
    await db.knex.destroy();
  }
}

/** The same SQL through the bare driver in a plain loop: the floor. */
async function bareDriver(dialect: string, url: string): Promise<{run(queries: CapturedQuery[]): Promise<void>; close(): Promise<void>}> {
  if (dialect === 'sqlite') {
    const target = resolveDatabaseTarget(url, {});
    const sqlite = new Database((target as {filename: string}).filename, {readonly: true});
    const prepared = new Map<string, Database.Statement>();
    return {
      async run(queries) {
        for (const {sql, bindings} of queries) {
          let statement = prepared.get(sql);
          if (!statement) prepared.set(sql, (statement = sqlite.prepare(sql)));
          statement.all(bindings as unknown[]);
        }
      },
      async close() {
        sqlite.close();
      },
    };
  }
  const client = new pg.Client({connectionString: url});
  await client.connect();
  return {
    async run(queries) {
      for (const {sql, bindings} of queries) await client.query(sql, bindings as unknown[]);
    },
    async close() {
      await client.end();
    },
  };
}
