import Database from 'better-sqlite3';
import type {Knex} from 'knex';
import pg from 'pg';

import {openDatabase, type Database as PrefectDatabase} from '../src/db/connection.js';
import {resolveDatabaseTarget} from '../src/db/url.js';
import {findColumn} from '../src/schema/head.js';
import {timeRepeated, type Timing} from './measure.js';

export interface QueryFigure {
  name: string;
  cli: Timing;
  floor: Timing;
}

/**
 * The statements `flow-run ls` and `flow-run inspect` send. `ls` asks for limit+1 rows and,
 * when the list was cut, counts the matches for its "20 of N" notice (repositories/common.ts
 * limitedList), so both statements are timed.
 *
 * TODO(flow-runs repository): src/repositories/flow-runs.ts is not in the tree yet; these
 * are the equivalent Knex queries. Swap in its list/inspect functions when it lands.
 */
function statements(knex: Knex, runId: string): Record<string, Knex.QueryBuilder[]> {
  const list = (state?: string) => {
    const base = knex('flow_run');
    if (state) base.where('state_type', state);
    return [base.clone().select('*').orderBy('expected_start_time', 'desc').limit(21), base.clone().count({count: '*'})];
  };
  return {
    'flow-run ls --limit 20': list(),
    'flow-run ls --state FAILED': list('FAILED'),
    'flow-run ls --state COMPLETED': list('COMPLETED'),
    'flow-run inspect': [
      knex('flow_run').select('*').where('id', runId),
      knex('flow_run_state').select('*').where('flow_run_id', runId).orderBy('timestamp', 'asc'),
      knex('task_run').select('*').where('flow_run_id', runId).orderBy('expected_start_time', 'asc'),
    ],
  };
}

/** The CLI's query path: Knex over the CLI's connection, every value decoded by the codec. */
async function runThroughCli(db: PrefectDatabase, queries: Knex.QueryBuilder[]): Promise<void> {
  for (const query of queries) {
    const table = (query as unknown as {_single: {table: string}})._single.table;
    const rows: Array<Record<string, unknown>> = await query.clone();
    for (const row of rows) {
      for (const column of Object.keys(row)) {
        const type = findColumn(table, column)?.type;
        if (type) row[column] = db.codec.decode(type, row[column]);
      }
    }
  }
}

export async function benchQueries(url: string, iterations: number): Promise<QueryFigure[]> {
  const db = await openDatabase(resolveDatabaseTarget(url, {}), {});
  try {
    const ids: string[] = (await db.knex('flow_run').select('id').whereNotNull('start_time').orderBy('id').limit(200)).map((r: {id: string}) => r.id);
    const floor = await bareDriver(db, url);
    const figures: QueryFigure[] = [];
    for (const name of Object.keys(statements(db.knex, ids[0]))) {
      const forRun = (i: number) => statements(db.knex, ids[i % ids.length])[name];
      const cli = await timeRepeated(iterations, (i) => runThroughCli(db, forRun(i)));
      const bare = await timeRepeated(iterations, (i) => floor.run(forRun(i)));
      figures.push({name, cli, floor: bare});
    }
    await floor.close();
    return figures;
  } finally {
    await db.knex.destroy();
  }
}

/** The same SQL through the bare driver in a plain loop: the floor. */
async function bareDriver(db: PrefectDatabase, url: string): Promise<{run(queries: Knex.QueryBuilder[]): Promise<void>; close(): Promise<void>}> {
  if (db.dialect === 'sqlite') {
    const target = resolveDatabaseTarget(url, {});
    const sqlite = new Database((target as {filename: string}).filename, {readonly: true});
    const prepared = new Map<string, Database.Statement>();
    return {
      async run(queries) {
        for (const query of queries) {
          const {sql, bindings} = query.toSQL().toNative();
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
      for (const query of queries) {
        const {sql, bindings} = query.toSQL().toNative();
        await client.query(sql, bindings as unknown[]);
      }
    },
    async close() {
      await client.end();
    },
  };
}
