import {expect} from 'chai';

import {migrationKit} from '../../src/db/migration-kit.js';
import {chainDatabaseAt, chainStep, currentRevision, runStep, type ScratchDatabase} from '../support/chain-database.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {plant} from './data/late-chain-cases.js';

// Chain files 15–28 where Prefect's own script would fail on the rows present: the downgrade
// names the blocking rows first (the runner refuses on them), an upgrade stops with nothing
// changed. The revisions: [SQLite, PostgreSQL].
const REVISION = {
  bucketKey: {sqlite: '2b6c2b548f95', postgres: '954db7517015'},
  followerScope: {sqlite: '354f1ede7e9f', postgres: '7495a5013e7e'},
  beforeFollowerScope: {sqlite: '2ac65f1758c2', postgres: '94622c1663e8'},
  workerStatus: {sqlite: 'a8e62d4c72cf', postgres: '8905262ec07f'},
} as const;

const id = (n: number) => `5a1e0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function withDatabaseAt(dialect: 'sqlite' | 'postgres', revision: string, body: (database: ScratchDatabase) => Promise<void>): Promise<void> {
  const database = await chainDatabaseAt(dialect, revision);
  try {
    await body(database);
  } finally {
    await database.drop();
  }
}

async function downBlockers(database: ScratchDatabase, revision: string): Promise<string[]> {
  return (await chainStep(database.dialect, revision)).file.downBlockers!(database.knex, migrationKit);
}

describe('chain files 15-28: rows Prefect\'s scripts would fail on', () => {
  after(() => removeTempDirs());
  for (const dialect of testDialects()) {
    describe(dialect, function () {
      before(async function () {
        if (dialect === 'postgres') await requirePostgres(this);
      });

      const automation = {id: id(1), name: 'a', description: '', enabled: true, trigger: '{}', actions: '[]', actions_on_trigger: '[]', actions_on_resolve: '[]'};
      const bucket = (n: number, extra: Record<string, unknown>) => ({
        id: id(100 + n),
        automation_id: id(1),
        trigger_id: id(200 + n),
        bucketing_key: '["k"]',
        start: '2024-04-09 10:00:00',
        end: '2024-04-09 11:00:00',
        count: 1,
        triggered_at: '2024-04-09 10:30:00',
        ...extra,
      });

      it('17 down: names buckets never triggered and buckets two triggers share', async () => {
        await withDatabaseAt(dialect, REVISION.bucketKey[dialect], async (database) => {
          expect(await downBlockers(database, REVISION.bucketKey[dialect])).to.deep.equal([]);
          await plant(database.knex, dialect, [
            {table: 'automation', rows: [automation]},
            {table: 'automation_bucket', rows: [bucket(1, {}), bucket(2, {}), bucket(3, {triggered_at: null, bucketing_key: '["other"]'})]},
          ]);
          const blockers = await downBlockers(database, REVISION.bucketKey[dialect]);
          expect(blockers).to.have.length(2);
          expect(blockers[0]).to.contain(`automation_bucket ${id(103)}`).and.contain('triggered_at is empty');
          expect(blockers[1]).to.contain(`automation_bucket ${id(101)} and ${id(102)}`).and.contain('same bucketing key under two triggers');
        });
      });

      const follower = (n: number, scope: string | undefined) => ({
        id: id(300 + n),
        leader_event_id: id(400),
        follower_event_id: id(500),
        received: '2024-07-15 10:00:00',
        follower: '{}',
        ...(scope === undefined ? {} : {scope}),
      });

      it('23 up: stops with nothing changed while followers wait (Prefect cannot give them the new required scope)', async () => {
        await withDatabaseAt(dialect, REVISION.beforeFollowerScope[dialect], async (database) => {
          await plant(database.knex, dialect, [{table: 'automation_event_follower', rows: [follower(1, undefined)]}]);
          let failure: Error | undefined;
          try {
            await runStep(database, REVISION.followerScope[dialect], 'up');
          } catch (error) {
            failure = error as Error;
          }
          expect(failure?.message).to.contain('automation_event_follower holds 1 waiting follower event(s)');
          expect((failure as {exitCode?: number} | undefined)?.exitCode, 'a refusal: exit 4').to.equal(4);
          expect(await currentRevision(database.knex)).to.equal(REVISION.beforeFollowerScope[dialect]);
          expect(await database.knex.schema.hasColumn('automation_event_follower', 'scope')).to.equal(false);
          expect(await database.knex('automation_event_follower').count({n: '*'})).to.deep.equal([{n: dialect === 'sqlite' ? 1 : '1'}]);
        });
      });

      it('23 down: names an event that follows in several scopes', async () => {
        await withDatabaseAt(dialect, REVISION.followerScope[dialect], async (database) => {
          await plant(database.knex, dialect, [{table: 'automation_event_follower', rows: [follower(1, 'a'), follower(2, 'b')]}]);
          expect(await downBlockers(database, REVISION.followerScope[dialect])).to.deep.equal([
            `automation_event_follower: event ${id(500)} follows in 2 scopes, and the older schema allows it once`,
          ]);
        });
      });

      if (dialect === 'postgres') {
        it('20: the downgrade leaves worker_status behind as Prefect\'s does, and the upgrade takes it up again', async () => {
          await withDatabaseAt(dialect, REVISION.workerStatus.postgres, async (database) => {
            await runStep(database, REVISION.workerStatus.postgres, 'down');
            const left = await database.knex.raw("select 1 from pg_type where typname = 'worker_status'");
            expect(left.rows).to.have.length(1);
            await runStep(database, REVISION.workerStatus.postgres, 'up');
            expect(await currentRevision(database.knex)).to.equal(REVISION.workerStatus.postgres);
            expect(await database.knex.schema.hasColumn('worker', 'status')).to.equal(true);
          });
        });
      }
    });
  }
});
