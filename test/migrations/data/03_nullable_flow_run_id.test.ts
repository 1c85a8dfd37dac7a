import {expect} from 'chai';
import type {Knex} from 'knex';

import {migrationKit} from '../../../src/db/migration-kit.js';
import {chainDatabaseAt, chainStep, currentRevision, runStep, type ScratchDatabase} from '../../support/chain-database.js';
import {plain, plantedAt} from '../../support/data-migration.js';
import {removeTempDirs} from '../../support/databases.js';
import {requirePostgres, testDialects} from '../../support/dialects.js';

// Step 03 rebuilds task_run and log on SQLite (every row copied) and relaxes NOT NULL on
// PostgreSQL. Going back, rows without a flow run block the downgrade: Prefect's script would
// fail on them, so prefectdb names them first, and a down() forced anyway changes nothing.
const REVISIONS = {sqlite: {up: '05ea6f882b1d', down: '8167af8df781'}, postgres: {up: '05ea6f882b1d', down: '4e9a6f93eb6c'}};
const FLOW_RUN_ID = 'f1000000-0000-4000-8000-00000000000a';
const ORPHAN_TASK_RUN = 'f1000000-0000-4000-8000-0000000000b0';
const ORPHAN_LOG = 'f1000000-0000-4000-8000-0000000000c0';

async function plant(knex: Knex, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const at = {created: plantedAt(dialect), updated: plantedAt(dialect)};
  await knex('flow').insert({...at, id: 'f1000000-0000-4000-8000-0000000000f0', name: 'etl'});
  await knex('flow_run').insert({...at, id: FLOW_RUN_ID, name: 'brave-otter', flow_id: 'f1000000-0000-4000-8000-0000000000f0'});
  await knex('task_run').insert([
    {...at, id: 'f1000000-0000-4000-8000-000000000001', name: 'extract-0', task_key: 'extract', dynamic_key: '0', flow_run_id: FLOW_RUN_ID, end_time: plantedAt(dialect), tags: '["a"]', cache_key: null},
    {...at, id: 'f1000000-0000-4000-8000-000000000002', name: 'load-0', task_key: 'load', dynamic_key: '0', flow_run_id: FLOW_RUN_ID, end_time: null, tags: '[]', cache_key: 'k'},
  ]);
  await knex('log').insert({...at, id: 'f1000000-0000-4000-8000-000000000003', name: 'prefect.flow_runs', level: 20, flow_run_id: FLOW_RUN_ID, message: 'hello', timestamp: plantedAt(dialect)});
}

async function rows(knex: Knex): Promise<unknown> {
  return plain({taskRuns: await knex('task_run').select('*').orderBy('id'), logs: await knex('log').select('*').orderBy('id')});
}

describe('migration 03: nullable flow_run_id on task_run and log', () => {
  for (const dialect of testDialects()) {
    describe(dialect, () => {
      let db: ScratchDatabase;
      let planted: unknown;
      before(async function () {
        if (dialect === 'postgres') await requirePostgres(this);
        db = await chainDatabaseAt(dialect, REVISIONS[dialect].down);
        await plant(db.knex, dialect);
        planted = await rows(db.knex);
      });
      after(async () => {
        await db?.drop();
        removeTempDirs();
      });

      it('keeps every task run and log row through up()', async () => {
        await runStep(db, REVISIONS[dialect].up, 'up');
        expect(await rows(db.knex)).to.deep.equal(planted);
      });

      it('names the task runs and logs without a flow run as blocking the downgrade', async () => {
        const at = {created: plantedAt(dialect), updated: plantedAt(dialect)};
        await db.knex('task_run').insert({...at, id: ORPHAN_TASK_RUN, name: 'lonely-task', task_key: 't', dynamic_key: '0', flow_run_id: null});
        await db.knex('log').insert({...at, id: ORPHAN_LOG, name: 'prefect.task_runs', level: 20, flow_run_id: null, message: 'm', timestamp: plantedAt(dialect)});
        const {file} = await chainStep(dialect, REVISIONS[dialect].up);
        const lines = await file.downBlockers!(db.knex, migrationKit);
        expect(lines).to.have.length(2);
        expect(lines[0]).to.contain(ORPHAN_TASK_RUN).and.contain('lonely-task');
        expect(lines[1]).to.contain(ORPHAN_LOG);
      });

      it('a down() forced past the blockers fails as Prefect’s would and leaves the database as it was', async () => {
        let failure: unknown;
        await runStep(db, REVISIONS[dialect].up, 'down').catch((error: unknown) => {
          failure = error;
        });
        expect(failure, 'down() with orphan rows').to.be.instanceOf(Error);
        expect(await currentRevision(db.knex)).to.equal(REVISIONS[dialect].up);
        const [{n}] = await db.knex('task_run').count({n: '*'});
        expect(Number(n)).to.equal(3);
      });

      it('with the blocking rows gone, down() restores the old tables with every row', async () => {
        await db.knex('task_run').where({id: ORPHAN_TASK_RUN}).delete();
        await db.knex('log').where({id: ORPHAN_LOG}).delete();
        await runStep(db, REVISIONS[dialect].up, 'down');
        expect(await currentRevision(db.knex)).to.equal(REVISIONS[dialect].down);
        expect(await rows(db.knex)).to.deep.equal(planted);
      });
    });
  }
});
