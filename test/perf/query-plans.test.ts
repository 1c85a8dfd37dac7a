import {expect} from 'chai';
import type {Knex} from 'knex';

import type {Database} from '../../src/db/connection.js';
import {sqlDialect} from '../../src/db/sql-dialect.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {emptyDatabase, type EmptyDatabase, openForReading, seedOrFail} from '../seed/seeded-database.js';

/**
 * The read paths of `flow-run ls` and `flow-run inspect`, as SQL. TODO(flow-runs
 * repository): build these with src/repositories/flow-runs.ts once it lands, so the test
 * guards the queries the CLI really sends.
 */
const QUERIES = {
  latestRuns: (knex: Knex) => knex('flow_run').select('*').orderBy('expected_start_time', 'desc').limit(20),
  latestRunsInState: (knex: Knex) => knex('flow_run').select('*').where('state_type', 'FAILED').orderBy('expected_start_time', 'desc').limit(20),
  runById: (knex: Knex, id: string) => knex('flow_run').select('*').where('id', id),
  stateHistory: (knex: Knex, id: string) => knex('flow_run_state').select('*').where('flow_run_id', id).orderBy('timestamp', 'asc'),
  taskRunsOfRun: (knex: Knex, id: string) => knex('task_run').select('*').where('flow_run_id', id).orderBy('expected_start_time', 'asc'),
};

/** The plan's text, one line per node. PostgreSQL is told to avoid sequential scans, as small tables would get one. */
async function planOf(db: Database, query: Knex.QueryBuilder): Promise<string> {
  const {sql, bindings} = query.toSQL();
  const explain = sqlDialect(db.knex, db.dialect).explain(sql);
  if (db.dialect === 'sqlite') {
    const rows: Array<{detail: string}> = await db.knex.raw(explain, bindings);
    return rows.map((row) => row.detail).join('\n');
  }
  return db.knex.transaction(async (trx) => {
    await trx.raw('set local enable_seqscan = off');
    const result: {rows: Array<Record<string, string>>} = await trx.raw(explain, bindings);
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

/** What each dialect's plan must say: the index Prefect created for this access path. */
const EXPECTED: Record<keyof typeof QUERIES, {sqlite: RegExp; postgres: RegExp}> = {
  latestRuns: {
    sqlite: /^SCAN flow_run USING (COVERING )?INDEX ix_flow_run__expected_start_time_desc$/m,
    postgres: /Index Scan( Backward)? using ix_flow_run__expected_start_time_desc on flow_run/,
  },
  latestRunsInState: {
    sqlite: /^(SEARCH|SCAN) flow_run USING (COVERING )?INDEX ix_flow_run__(state_type|expected_start_time_desc)\b/m,
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

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      await seedOrFail(database.url, ['--flow-runs', '5000', '--task-runs-per-flow-run', '1', '--logs-per-run', '0']);
      db = await openForReading(database.url);
      // Plans are what Prefect's own databases get: statistics only if someone ran ANALYZE,
      // which Prefect never does on SQLite; PostgreSQL's autovacuum may have.
      if (dialect === 'postgres') await db.knex.raw('analyze');
      runId = (await db.knex('flow_run').first('id').orderBy('id')).id;
    });

    after(async () => {
      await db?.knex.destroy();
      await database?.drop();
      removeTempDirs();
    });

    for (const [name, build] of Object.entries(QUERIES) as Array<[keyof typeof QUERIES, (knex: Knex, id: string) => Knex.QueryBuilder]>) {
      it(`${name} reads through an index`, async () => {
        const plan = await planOf(db, build(db.knex, runId));
        expect(plan).to.match(EXPECTED[name][dialect]);
        expect(plan, 'a full table scan').not.to.match(dialect === 'sqlite' ? /^SCAN \w+$/m : /Seq Scan/);
      });
    }
  });
}
