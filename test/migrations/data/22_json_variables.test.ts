import {expect} from 'chai';

import {migrationKit} from '../../../src/db/migration-kit.js';
import {chainDatabaseAt, chainStep} from '../../support/chain-database.js';
import {describeDataMigration} from './data-migration-suite.js';
import {plant, readFixture} from './late-chain-cases.js';
import {jsonVariables, UNCONVERTIBLE_JSON_VALUES} from './mid-chain-cases.js';

describeDataMigration('migration 22: variable values become JSON', jsonVariables, (dialect) => {
  it(dialect === 'sqlite' ? 'names each value the SQLite downgrade cannot turn back' : 'finds nothing blocking the PostgreSQL downgrade, which writes Python text', async () => {
    const {revision} = readFixture(jsonVariables, dialect);
    const database = await chainDatabaseAt(dialect, revision);
    try {
      const planted = jsonVariables.down!.plant(dialect);
      const extra = [...UNCONVERTIBLE_JSON_VALUES, ...(dialect === 'sqlite' ? ['not json', null] : [])];
      planted.push({table: 'variable', rows: extra.map((value, i) => ({id: `5a1e0000-0000-4000-8000-0000000009${String(i).padStart(2, '0')}`, name: `blocked_${i}`, value}))});
      await plant(database.knex, dialect, planted);
      const blockers = await (await chainStep(dialect, revision)).file.downBlockers!(database.knex, migrationKit);
      if (dialect === 'postgres') {
        expect(blockers).to.deep.equal([]);
        return;
      }
      expect(blockers).to.have.length(6);
      expect(blockers[0]).to.match(/^variable blocked_0 \(5a1e0000-0000-4000-8000-000000000900\): its value is null;/);
      expect(blockers.join('\n')).to.contain('blocked_1').and.contain('an object').and.contain('a list').and.contain('is not JSON').and.contain('its value is empty');
    } finally {
      await database.drop();
    }
  });
});
