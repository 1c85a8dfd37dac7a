import {expect} from 'chai';

import {migrationKit} from '../../../src/db/migration-kit.js';
import {chainDatabaseAt, chainStep} from '../../support/chain-database.js';
import {describeDataMigration} from './data-migration-suite.js';
import {plant, readFixture, tagConcurrencyLimits} from './late-chain-cases.js';

describeDataMigration('migration 38: tag concurrency limits become V2 limits', tagConcurrencyLimits, (dialect) => {
  it('names the V1 row that would clash with a limit the downgrade restores', async () => {
    const {revision} = readFixture(tagConcurrencyLimits, dialect);
    const database = await chainDatabaseAt(dialect, revision);
    try {
      const planted = tagConcurrencyLimits.down!.plant(dialect);
      planted.push({
        table: 'concurrency_limit',
        rows: [{id: '0b7a4e8e-0000-4000-8000-000000000199', tag: 'etl', concurrency_limit: 1, active_slots: '[]'}],
      });
      await plant(database.knex, dialect, planted);
      const step = await chainStep(dialect, revision);
      const blockers = await step.file.downBlockers!(database.knex, migrationKit);
      expect(blockers).to.have.length(1);
      expect(blockers[0]).to.contain('tag concurrency limit etl (id 0b7a4e8e-0000-4000-8000-000000000199)').and.contain('tag:etl');
    } finally {
      await database.drop();
    }
  });

  it('finds nothing blocking the downgrade of the rows the upgrade leaves', async () => {
    const {revision} = readFixture(tagConcurrencyLimits, dialect);
    const database = await chainDatabaseAt(dialect, revision);
    try {
      await plant(database.knex, dialect, tagConcurrencyLimits.down!.plant(dialect));
      const step = await chainStep(dialect, revision);
      expect(await step.file.downBlockers!(database.knex, migrationKit)).to.deep.equal([]);
    } finally {
      await database.drop();
    }
  });
});
