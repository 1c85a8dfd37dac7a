import {expect} from 'chai';

import {chainDatabaseAt, currentRevision, runStep} from '../../support/chain-database.js';
import {describeDataMigration} from './data-migration-suite.js';
import {notificationPolicies, plant, readFixture} from './late-chain-cases.js';

describeDataMigration('migration 34: notification policies become automations', notificationPolicies, (dialect) => {
  it('stops with nothing changed on a template field Prefect cannot convert either', async () => {
    const {downRevision, revision} = readFixture(notificationPolicies, dialect);
    const database = await chainDatabaseAt(dialect, downRevision);
    try {
      const planted = notificationPolicies.up!.plant(dialect);
      const policies = planted.find((entry) => entry.table === 'flow_run_notification_policy')!;
      policies.rows = [{...policies.rows[1], message_template: 'Run {flow_run_name} on {deployment_name}'}];
      await plant(database.knex, dialect, planted);
      let failure: Error | undefined;
      await runStep(database, revision, 'up').catch((error: Error) => (failure = error));
      expect(failure?.message).to.match(/notification policy .*\{deployment_name\} has no automation equivalent/);
      // A refusal (exit 4 with this message), not an unexpected failure.
      expect((failure as {exitCode?: number} | undefined)?.exitCode).to.equal(4);
      expect(await currentRevision(database.knex)).to.equal(downRevision);
      expect(await database.knex('flow_run_notification_policy').count({n: '*'})).to.deep.equal([{n: dialect === 'postgres' ? '1' : 1}]);
      expect(await database.knex('automation').count({n: '*'})).to.deep.equal([{n: dialect === 'postgres' ? '0' : 0}]);
    } finally {
      await database.drop();
    }
  });
});
