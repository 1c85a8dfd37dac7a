import {expect} from 'chai';

import {openDatabase, type Database} from '../../src/db/connection.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {inTransaction, keysetSource, listSource, runInBatches} from '../../src/services/batches.js';
import {FIRST_CHUNK_SIZE} from '../../src/services/lock-pacing.js';
import {removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

const FIXTURE = 'prefect-3.x-9e83011d1f2a.db';

for (const dialect of testDialects()) {
  describe(`batch helper on ${dialect}`, () => {
    let db: Database;
    let drop: () => Promise<void>;

    before(async function () {
      const fixture = await fixtureDatabase(this, dialect, FIXTURE);
      drop = fixture.drop;
      db = await openDatabase(resolveDatabaseTarget(fixture.url), {write: true});
      await db.knex.schema.createTable('batch_probe', (t) => {
        t.string('id').primary();
        t.integer('n');
      });
      await db.knex('batch_probe').insert(Array.from({length: 23}, (_, i) => ({id: `k${String(i).padStart(2, '0')}`, n: 0})));
    });

    after(async () => {
      await db?.knex.destroy();
      await drop?.();
      removeTempDirs();
    });

    it('takes a keyset selection page by page, one transaction per batch, up to the limit', async () => {
      const seen: string[][] = [];
      const report = await runInBatches({
        db,
        batchSize: 5,
        limit: 17,
        source: keysetSource(
          (trx, after, size) => trx('batch_probe').where('n', 0).modify((q) => (after ? q.where('id', '>', after) : q)).orderBy('id').limit(size).pluck('id'),
          (id: string) => id,
        ),
        apply: async (trx, ids) => {
          seen.push(ids);
          await trx('batch_probe').whereIn('id', ids).update({n: 1});
        },
      });
      expect(report.items).to.equal(17);
      expect(report.batches).to.equal(4);
      expect(seen.map((batch) => batch.length)).to.deep.equal([5, 5, 5, 2]);
      expect(Number((await db.knex('batch_probe').where('n', 1).count({c: '*'}))[0].c)).to.equal(17);
    });

    it('probes with a small first chunk before any cost is known, then grows, in one transaction while it fits', async () => {
      const asked: number[] = [];
      const transactions = new Set<unknown>();
      const ids = Array.from({length: 23}, (_, i) => `k${String(i).padStart(2, '0')}`);
      const list = listSource(ids);
      const report = await runInBatches({
        db,
        source: {next: (trx, size) => (asked.push(size), transactions.add(trx), list.next(trx, size))},
        apply: async () => {},
      });
      expect(asked[0]).to.equal(FIRST_CHUNK_SIZE);
      expect(asked[1]).to.be.greaterThan(FIRST_CHUNK_SIZE);
      expect(report).to.include({items: 23, batches: 1});
      expect(transactions.size).to.equal(1);
    });

    it('commits a batch before a chunk that would take it past half the lock budget', async () => {
      const chunks: Array<{size: number; trx: unknown}> = [];
      const report = await runInBatches({
        db,
        targetBatchMs: 400,
        minBatchSize: 2,
        source: keysetSource(
          (trx, after, size) => trx('batch_probe').modify((q) => (after ? q.where('id', '>', after) : q)).orderBy('id').limit(size).pluck('id'),
          (id: string) => id,
        ),
        apply: async (trx, ids) => {
          chunks.push({size: ids.length, trx});
          await trx('batch_probe').whereIn('id', ids).update({n: 3});
          await new Promise((resolve) => setTimeout(resolve, ids.length * 10)); // 10 ms an item
        },
      });
      const updated = Number((await db.knex('batch_probe').where('n', 3).count({c: '*'}))[0].c);
      await db.knex('batch_probe').update({n: 0});
      // The probe of 16 takes 160 ms: a chunk of an eighth of the budget (~5 items, 50 ms) would end past 200 ms.
      // The next batch takes the 7 left in chunks of that eighth, in one transaction.
      const [probe, ...rest] = chunks;
      expect(probe.size).to.equal(16);
      expect(rest.map((chunk) => chunk.size).reduce((a, b) => a + b)).to.equal(7);
      expect(rest.length).to.be.at.least(2);
      expect(new Set(rest.map((chunk) => chunk.trx))).to.have.lengthOf(1).and.not.to.include(probe.trx);
      expect(report).to.include({items: 23, batches: 2});
      expect(updated).to.equal(23);
    });

    if (dialect === 'sqlite') {
      it('turns the automatic checkpoint off while batches run and gives it back after', async () => {
        const autocheckpoint = async () => Number((await db.knex.raw('pragma wal_autocheckpoint'))[0].wal_autocheckpoint);
        const before = await autocheckpoint();
        const during: number[] = [];
        await runInBatches({
          db,
          batchSize: 5,
          source: listSource(['k00', 'k01', 'k02', 'k03', 'k04', 'k05', 'k06']),
          apply: async (trx, ids) => {
            during.push(Number((await trx.raw('pragma wal_autocheckpoint'))[0].wal_autocheckpoint));
            await trx('batch_probe').whereIn('id', ids).update({n: 0});
          },
        });
        expect(during).to.deep.equal([0, 0]);
        expect(await autocheckpoint()).to.equal(before).and.to.be.greaterThan(0);
      });
    }

    it('rolls every batch back on a dry run, yet reports what it did', async () => {
      const report = await runInBatches({
        db,
        batchSize: 4,
        dryRun: true,
        source: listSource(['k00', 'k01', 'k02', 'k20', 'k21']),
        apply: async (trx, ids) => {
          await trx('batch_probe').whereIn('id', ids).update({n: 7});
        },
      });
      expect(report).to.include({items: 5, batches: 2});
      expect(Number((await db.knex('batch_probe').where('n', 7).count({c: '*'}))[0].c)).to.equal(0);
    });

    it('leaves a failed batch undone and the earlier ones committed', async () => {
      let calls = 0;
      const attempt = runInBatches({
        db,
        batchSize: 2,
        source: listSource(['k17', 'k18', 'k19', 'k20']),
        apply: async (trx, ids) => {
          calls += 1;
          await trx('batch_probe').whereIn('id', ids).update({n: 9});
          if (calls === 2) throw new Error('boom');
        },
      });
      const error = await attempt.then(() => undefined, (e: Error) => e);
      expect(error?.message).to.equal('boom');
      const rows = await db.knex('batch_probe').whereIn('id', ['k17', 'k18', 'k19', 'k20']).orderBy('id').pluck('n');
      expect(rows.map(Number)).to.deep.equal([9, 9, 0, 0]);
    });

    it('returns the value of a transaction and undoes it when asked', async () => {
      const value = await inTransaction(db, async (trx) => {
        await trx('batch_probe').where('id', 'k22').update({n: 5});
        return 'done';
      }, {rollback: true});
      expect(value).to.equal('done');
      expect(Number(await db.knex('batch_probe').where('id', 'k22').first('n').then((r) => r.n))).to.equal(0);
    });
  });
}
