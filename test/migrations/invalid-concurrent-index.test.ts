import {expect} from 'chai';

import {chainDatabaseAt, currentRevision, runStep, type ScratchDatabase} from '../support/chain-database.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {plant} from './data/late-chain-cases.js';

// Prefect builds some PostgreSQL indexes CONCURRENTLY; an interrupted build leaves the index
// INVALID, and a plain CREATE INDEX IF NOT EXISTS would keep that unusable leftover.
if (testDialects().includes('postgres')) {
  describe('migration 44 on PostgreSQL: an INVALID leftover of an interrupted concurrent build', function () {
    let database: ScratchDatabase | undefined;

    before(async function () {
      await requirePostgres(this);
    });

    after(async () => {
      await database?.drop();
      removeTempDirs();
    });

    it('is dropped and the index built again, valid and as Prefect defines it', async () => {
      database = await chainDatabaseAt('postgres', '50737cdaee36');
      const deployment = '0b7a4e8e-0000-4000-8000-000000000501';
      await plant(database.knex, 'postgres', [
        {
          table: 'flow_run',
          rows: ['0b7a4e8e-0000-4000-8000-000000000511', '0b7a4e8e-0000-4000-8000-000000000512'].map((id) => ({id, name: id, flow_id: '0b7a4e8e-0000-4000-8000-000000000502', deployment_id: deployment})),
        },
      ]);
      // A unique concurrent build fails on the duplicate and leaves its index behind, INVALID.
      await database.knex.raw('CREATE UNIQUE INDEX CONCURRENTLY ix_flow_run__deployment_id ON flow_run (deployment_id)').catch(() => undefined);
      const validity = () =>
        database!.knex.raw(`select i.indisvalid, i.indisunique, pg_get_indexdef(i.indexrelid) as definition
                              from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'ix_flow_run__deployment_id'`);
      expect((await validity()).rows).to.deep.equal([
        {indisvalid: false, indisunique: true, definition: 'CREATE UNIQUE INDEX ix_flow_run__deployment_id ON public.flow_run USING btree (deployment_id)'},
      ]);

      await runStep(database, '9e9dadc36797', 'up');

      expect(await currentRevision(database.knex)).to.equal('9e9dadc36797');
      expect((await validity()).rows).to.deep.equal([
        {indisvalid: true, indisunique: false, definition: 'CREATE INDEX ix_flow_run__deployment_id ON public.flow_run USING btree (deployment_id)'},
      ]);
    });
  });
}
