import {expect} from 'chai';
import type {Knex} from 'knex';

import type {Database} from '../../src/db/connection.js';
import {readSchemaInfo} from '../../src/db/schema-info.js';
import {sqlDialect} from '../../src/db/sql-dialect.js';
import {repositoryContext, type RepositoryContext} from '../../src/repositories/common.js';
import {listFlowRuns, readFlowRun} from '../../src/repositories/flow-runs.js';
import {readStateHistory} from '../../src/repositories/run-states.js';
import {countTaskRunsByStateType} from '../../src/repositories/task-runs.js';
import {captureQueries, type CapturedQuery} from '../support/capture-queries.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {emptyDatabase, type EmptyDatabase, openForReading, seedOrFail} from '../seed/seeded-database.js';

/**
 * The SQL the CLI's repositories really send for `flow-run ls` and `flow-run inspect`,
 * captured from Knex's query events, with a pattern picking the statement whose plan matters.
 */
const READ_PATHS: Record<string, {run: (ctx: RepositoryContext, runId: string) => Promise<unknown>; statement: RegExp}> = {
  latestRuns: {
    run: (ctx) => listFlowRuns(ctx, {filter: {}, sort: LATEST_FIRST, limit: 20}),
    statement: /from "flow_run".* order by/,
  },
  // On this data COMPLETED holds most runs and FAILED few: SQLite must walk the
  // expected-start index for the first and use the state index for the second.
  latestRunsInCommonState: {
    run: (ctx) => listFlowRuns(ctx, {filter: {states: {types: ['COMPLETED']}}, sort: LATEST_FIRST, limit: 20}),
    statement: /from "flow_run".* order by/,
  },
  latestRunsInRareState: {
    run: (ctx) => listFlowRuns(ctx, {filter: {states: {types: ['FAILED']}}, sort: LATEST_FIRST, limit: 20}),
    statement: /from "flow_run".* order by/,
  },
  runById: {run: (ctx, id) => readFlowRun(ctx, id), statement: /from "flow_run" where "id" = (\?|\$1)$/},
  stateHistory: {run: (ctx, id) => readStateHistory(ctx, 'flow_run', id), statement: /from "flow_run_state"/},
  taskRunsOfRun: {run: (ctx, id) => countTaskRunsByStateType(ctx, id), statement: /from "task_run"/},
};

const LATEST_FIRST = {field: 'expected-start', direction: 'desc'} as const;

async function capturedStatement(ctx: RepositoryContext, runId: string, path: (typeof READ_PATHS)[string]): Promise<CapturedQuery> {
  const captured = await captureQueries(ctx.db.knex, () => path.run(ctx, runId));
  const statement = captured.find((query) => path.statement.test(query.sql.replaceAll('`', '"')));
  if (!statement) throw new Error(`no statement matching ${path.statement} among:\n${captured.map((q) => q.sql).join('\n')}`);
  // EXPLAIN goes back through knex.raw, which takes ? placeholders.
  return {sql: statement.sql.replace(/\$\d+/g, '?'), bindings: statement.bindings};
}

/** The plan's text, one line per node. PostgreSQL is told to avoid sequential scans, as small tables would get one. */
async function planOf(db: Database, {sql, bindings}: CapturedQuery): Promise<string> {
  const explain = sqlDialect(db.knex, db.dialect).explain(sql);
  if (db.dialect === 'sqlite') {
    const rows: Array<{detail: string}> = await db.knex.raw(explain, bindings as Knex.RawBinding[]);
    return rows.map((row) => row.detail).join('\n');
  }
  return db.knex.transaction(async (trx) => {
    await trx.raw('set local enable_seqscan = off');
    const result: {rows: Array<Record<string, string>>} = await trx.raw(explain, bindings as Knex.RawBinding[]);
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

/** What each dialect's plan must say: the index Prefect created for this access path. */
const EXPECTED: Record<keyof typeof READ_PATHS, {sqlite: RegExp; postgres: RegExp}> = {
  latestRuns: {
    sqlite: /^SCAN flow_run USING (COVERING )?INDEX ix_flow_run__expected_start_time_desc$/m,
    postgres: /Index Scan( Backward)? using ix_flow_run__expected_start_time_desc on flow_run/,
  },
  latestRunsInCommonState: {
    sqlite: /^SCAN flow_run USING INDEX ix_flow_run__expected_start_time_desc$/m,
    postgres: /(Index Scan( Backward)?|Bitmap Index Scan) (using|on) ix_flow_run__(state_type|expected_start_time_desc)\b/,
  },
  latestRunsInRareState: {
    sqlite: /^SEARCH flow_run USING INDEX ix_flow_run__state_type \(state_type=\?\)$/m,
    postgres: /(Index Scan( Backward)?|Bitmap Index Scan) (using|on) ix_flow_run__(state_type|expected_start_time_desc)\b/,
  },
  runById: {
    // pk_flow_run: SQLite implements the primary key constraint as an automatic index.
    sqlite: /^SEARCH flow_run USING (COVERING )?INDEX sqlite_autoindex_flow_run_1 \(id=\?\)$/m,
    postgres: /Index Scan using pk_flow_run on flow_run/,
  },
  stateHistory: {
    sqlite: /^SEARCH flow_run_state USING (COVERING )?INDEX uq_flow_run_state__flow_run_id_timestamp_desc \(flow_run_id=\?\)$/m,
    postgres: /(Index Scan( Backward)?|Bitmap Index Scan) (using|on) uq_flow_run_state__flow_run_id_timestamp_desc\b/,
  },
  taskRunsOfRun: {
    sqlite: /^SEARCH task_run USING (COVERING )?INDEX (ix_task_run__flow_run_id|uq_task_run__flow_run_id_task_key_dynamic_key) \(flow_run_id=\?\)$/m,
    postgres: /(Index Scan|Bitmap Index Scan) (using|on) (ix_task_run__flow_run_id|uq_task_run__flow_run_id_task_key_dynamic_key)\b/,
  },
};

for (const dialect of testDialects()) {
  describe(`query plans of flow-run ls / inspect use Prefect's indexes (${dialect})`, function () {
    this.timeout(180_000);
    let database: EmptyDatabase;
    let db: Database;
    let runId: string;
    let ctx: RepositoryContext;

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      await seedOrFail(database.url, ['--flow-runs', '5000', '--task-runs-per-flow-run', '1', '--logs-per-run', '0']);
      db = await openForReading(database.url);
      // Plans are what Prefect's own databases get: statistics only if someone ran ANALYZE,
      // which Prefect never does on SQLite; PostgreSQL's autovacuum may have.
      if (dialect === 'postgres') await db.knex.raw('analyze');
      runId = (await db.knex('flow_run').first('id').orderBy('id')).id;
      ctx = repositoryContext(db, await readSchemaInfo(db.knex, db.dialect));
    });

    after(async () => {
      await db?.knex.destroy();
      await database?.drop();
      removeTempDirs();
    });

    for (const [name, path] of Object.entries(READ_PATHS)) {
      it(`${name} reads through an index`, async () => {
        const plan = await planOf(db, await capturedStatement(ctx, runId, path));
        expect(plan).to.match(EXPECTED[name][dialect]);
        expect(plan, 'a full table scan').not.to.match(dialect === 'sqlite' ? /^SCAN \w+$/m : /Seq Scan/);
      });
    }
  });
}
