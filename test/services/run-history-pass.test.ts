import {randomUUID} from 'node:crypto';

import {expect} from 'chai';

import {openDatabase, type Database as Db} from '../../src/db/connection.js';
import {readSchemaInfo} from '../../src/db/schema-info.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {repositoryContext, type RepositoryContext} from '../../src/repositories/common.js';
import {forEachRunWithHistory, runsWithHistory, type RunKind, type RunWithHistory} from '../../src/repositories/health-history.js';
import {removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

const FIXTURE = 'prefect-3.x-9e83011d1f2a.db';
const KINDS: RunKind[] = ['flow_run', 'task_run'];

/**
 * The doctor's one ordered pass over runs and states must give what the per-run lookup (the
 * repair path) gives for every run that has states, also when states belong to no run
 * (written with foreign keys off) and runs have no states at all.
 */
describe('run history pass: the same runs and derivations as the per-run lookup', () => {
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

      /** Copies of existing states under run ids no run has, sorting before, between and after the runs. */
      async function plantOrphanStates(kind: RunKind): Promise<void> {
        const states = `${kind}_state`;
        const columns = Object.keys(await db.knex(states).columnInfo());
        const [first] = await db.knex(states).select('id').orderBy('id').limit(1);
        const ids = await db.knex(kind).select('id').orderBy('id');
        const middle = String(ids[Math.floor(ids.length / 2)].id);
        const orphanRuns = ['00000000-0000-4000-8000-000000000000', `${middle.slice(0, 35)}${middle.endsWith('f') ? 'e' : 'f'}`, 'ffffffff-ffff-4fff-bfff-ffffffffffff'];
        const cast = dialect === 'postgres' ? 'cast(? as uuid)' : '?';
        const picked = columns.map((c) => (c === 'id' || c === `${kind}_id` ? cast : '??')).join(', ');
        // Foreign keys off: SQLite for its one pooled connection, PostgreSQL for one transaction.
        if (dialect === 'sqlite') await db.knex.raw('pragma foreign_keys = off');
        try {
          await db.knex.transaction(async (trx) => {
            if (dialect === 'postgres') await trx.raw('set local session_replication_role = replica');
            for (const run of orphanRuns) {
              const bindings = columns.flatMap((c) => (c === 'id' ? [randomUUID()] : c === `${kind}_id` ? [run] : [c]));
              await trx.raw(`insert into ?? (${columns.map(() => '??').join(', ')}) select ${picked} from ?? where id = ?`, [states, ...columns, ...bindings, states, first.id]);
            }
          });
        } finally {
          if (dialect === 'sqlite') await db.knex.raw('pragma foreign_keys = on');
        }
        const planted = await db.knex(states).whereIn(`${kind}_id`, orphanRuns).count({count: '*'});
        expect(Number(planted[0].count)).to.equal(orphanRuns.length);
      }

      it('skips states of missing runs and runs without states', async () => {
        for (const kind of KINDS) {
          await plantOrphanStates(kind);
          // A run whose states are gone.
          const [bare] = await db.knex(kind).select('id').orderBy('id').limit(1);
          await db.knex(`${kind}_state`).where(`${kind}_id`, bare.id).delete();

          const passed: RunWithHistory[] = [];
          await forEachRunWithHistory(ctx, kind, (entries) => void passed.push(...entries));
          const ids = (await db.knex(kind).select('id').orderBy('id')).map((row: {id: unknown}) => String(row.id).toLowerCase());
          const looked = (await runsWithHistory(ctx, db.knex, kind, ids)).filter((entry) => entry.derived !== null);

          expect(passed.length, kind).to.be.greaterThan(0);
          expect(passed.map((e) => e.run.id)).to.not.include(String(bare.id).toLowerCase());
          expect(passed, kind).to.deep.equal(looked);
        }
      });
    });
  }
});
