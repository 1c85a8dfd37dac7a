import {expect} from 'chai';

import type {Database} from '../../src/db/connection.js';
import {readSchemaInfo, type SchemaInfo} from '../../src/db/schema-info.js';
import {repositoryContext} from '../../src/repositories/common.js';
import {countRows} from '../../src/repositories/database-stats.js';
import {estimatedRowCount} from '../../src/repositories/row-estimates.js';
import {parseJson, runCli} from '../support/cli.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {emptyDatabase, type EmptyDatabase, openForReading, seedOrFail} from '../seed/seeded-database.js';

for (const dialect of testDialects()) {
  describe(`row counts: estimates for big tables, exact on request (${dialect})`, function () {
    this.timeout(120_000);
    let database: EmptyDatabase;
    let db: Database;
    let schema: SchemaInfo;
    let exact: Record<string, number>;

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      await seedOrFail(database.url, ['--flow-runs', '1500', '--task-runs-per-flow-run', '1', '--logs-per-run', '1']);
      db = await openForReading(database.url);
      // PostgreSQL's estimate is its planner statistics: what autovacuum's ANALYZE leaves.
      if (dialect === 'postgres') await db.knex.raw('analyze');
      schema = await readSchemaInfo(db.knex, db.dialect);
      exact = {};
      for (const table of ['flow_run', 'task_run', 'log', 'flow']) exact[table] = Number((await db.knex(table).count({count: '*'}))[0].count);
    });

    after(async () => {
      await db?.knex.destroy();
      await database?.drop();
      removeTempDirs();
    });

    it('estimatedRowCount is close to the true count, and 0 for an empty table', async () => {
      const ctx = repositoryContext(db, schema);
      for (const table of ['flow_run', 'task_run', 'log']) {
        const estimate = await estimatedRowCount(ctx, table);
        expect(estimate, table).to.be.within(exact[table] * 0.9, exact[table] * 1.1);
      }
      expect(await estimatedRowCount(ctx, 'variable')).to.equal(0);
    });

    it('countRows estimates the tables at or above the bound, names them, and counts the rest exactly', async () => {
      const {counts, estimated} = await countRows(db, schema, {exactBelow: 1000});
      expect(estimated).to.include.members(['flow_run', 'log']);
      expect(estimated).not.to.include('flow');
      expect(counts.flow).to.equal(exact.flow);
      expect(counts.flow_run).to.be.within(exact.flow_run * 0.9, exact.flow_run * 1.1);
      const exactly = await countRows(db, schema, {exact: true, exactBelow: 1000});
      expect(exactly.estimated).to.deep.equal([]);
      expect(exactly.counts.flow_run).to.equal(exact.flow_run);
    });

    it('db status --exact --json marks nothing estimated; a small database is counted exactly anyway', async () => {
      for (const args of [['--exact'], []]) {
        const result = await runCli(['db', 'status', '--db', database.url, '--json', ...args]);
        expect(result.exitCode, result.stderr).to.equal(0);
        const status = parseJson<{row_counts: Record<string, number>; estimated_row_counts: string[]}>(result);
        expect(status.estimated_row_counts).to.deep.equal([]);
        expect(status.row_counts.flow_run).to.equal(exact.flow_run);
      }
    });
  });
}
