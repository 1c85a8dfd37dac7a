import {expect} from 'chai';
import type {Knex} from 'knex';

import {applyStep, loadChain} from '../../../src/db/migration-chain.js';
import {type ScratchDatabase, scratchDatabase} from '../../support/chain-database.js';
import {plain, plantedAt} from '../../support/data-migration.js';
import {removeTempDirs} from '../../support/databases.js';
import {requirePostgres, testDialects} from '../../support/dialects.js';

// Chain files 01-14 rebuild deployment, concurrency_limit_v2, task_run, log, block_document and
// flow_run_input on SQLite (and alter them in place on PostgreSQL). Rows planted at 2.13.0
// must come back unchanged after the walk up to 2.16.9 and down again; flow_run_input rows
// planted at 2.16.9 must survive its rebuilds down to where the table began.
const LAST = {sqlite: '07ed05dfd4ec', postgres: 'aeea5ee6f070'};
const FLOW_RUN_INPUT_BEGINS = {sqlite: 'a299308852a7', postgres: '733ca1903976'};
const TABLES = ['flow', 'deployment', 'flow_run', 'task_run', 'log', 'concurrency_limit_v2', 'block_type', 'block_schema', 'block_document'];
const ID = (n: number) => `aa000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function plantAtBaseline(knex: Knex, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const at = {created: plantedAt(dialect), updated: plantedAt(dialect)};
  await knex('flow').insert({...at, id: ID(1), name: 'etl'});
  await knex('deployment').insert({...at, id: ID(2), name: 'nightly', flow_id: ID(1), schedule: '{"cron": "0 0 * * *"}', is_schedule_active: 0, tags: '["x"]', pull_steps: '[]'});
  await knex('flow_run').insert({...at, id: ID(3), name: 'brave-otter', flow_id: ID(1), deployment_id: ID(2)});
  await knex('task_run').insert({...at, id: ID(4), name: 'extract-0', task_key: 'extract', dynamic_key: '0', flow_run_id: ID(3), state_name: 'Completed'});
  await knex('log').insert({...at, id: ID(5), name: 'prefect', level: 40, flow_run_id: ID(3), task_run_id: ID(4), message: 'boom', timestamp: plantedAt(dialect)});
  await knex('concurrency_limit_v2').insert({...at, id: ID(6), active: 1, name: 'db', limit: 2, active_slots: 1, denied_slots: 0, slot_decay_per_second: 0.5, avg_slot_occupancy_seconds: 3});
  await knex('block_type').insert({...at, id: ID(7), name: 'Secret', slug: 'secret'});
  await knex('block_schema').insert({...at, id: ID(8), checksum: 'sha256:0', block_type_id: ID(7)});
  await knex('block_document').insert({...at, id: ID(9), name: 'token', block_type_id: ID(7), block_schema_id: ID(8), data: '"gAAAA"'});
}

async function rowsOf(knex: Knex, tables: string[]): Promise<unknown> {
  const rows: Record<string, unknown> = {};
  for (const table of tables) rows[table] = await knex(table).select('*').orderBy('id');
  return plain(rows);
}

describe('migration chain 01-14 keeps rows through its table rebuilds', () => {
  for (const dialect of testDialects()) {
    describe(dialect, () => {
      let db: ScratchDatabase;
      before(async function () {
        if (dialect === 'postgres') await requirePostgres(this);
        db = await scratchDatabase(dialect);
      });
      after(async () => {
        await db?.drop();
        removeTempDirs();
      });

      it('rows planted at 2.13.0 read the same after up to 2.16.9 and down again; flow_run_input rows survive down to its start', async () => {
        // Gaps further up the chain (files still being written) do not matter below 2.16.9.
        const chain = await loadChain(dialect, {allowGaps: true});
        const last = chain.findIndex((step) => step.revision === LAST[dialect]);
        await applyStep(db.knex, dialect, chain[0], 'up');
        await plantAtBaseline(db.knex, dialect);
        const planted = await rowsOf(db.knex, TABLES);
        for (const step of chain.slice(1, last + 1)) await applyStep(db.knex, dialect, step, 'up');

        const at = {created: plantedAt(dialect), updated: plantedAt(dialect)};
        await db.knex('flow_run_input').insert({...at, id: ID(10), key: 'approval', value: '{"ok": true}', flow_run_id: ID(3), sender: 'someone'});
        const inputs = (await rowsOf(db.knex, ['flow_run_input'])) as {flow_run_input: Array<Record<string, unknown>>};

        let inputsChecked = false;
        for (const step of chain.slice(1, last + 1).reverse()) {
          await applyStep(db.knex, dialect, step, 'down');
          if (step.downRevision === FLOW_RUN_INPUT_BEGINS[dialect]) {
            inputsChecked = true;
            const withoutSender = inputs.flow_run_input.map(({sender: _sender, ...row}) => row);
            expect(await rowsOf(db.knex, ['flow_run_input'])).to.deep.equal({flow_run_input: withoutSender});
          }
        }
        expect(inputsChecked, 'flow_run_input compared where it began').to.equal(true);
        expect(await rowsOf(db.knex, TABLES)).to.deep.equal(planted);
      });
    });
  }
});
