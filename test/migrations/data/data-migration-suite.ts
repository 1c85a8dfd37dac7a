import {expect} from 'chai';

import type {Dialect} from '../../../src/db/dialect.js';
import {chainDatabaseAt, currentRevision, runStep, type ScratchDatabase} from '../../support/chain-database.js';
import {removeTempDirs} from '../../support/databases.js';
import {requirePostgres, testDialects} from '../../support/dialects.js';
import {type DataCase, plant, readFixture, readWatched} from './late-chain-cases.js';

/**
 * For each dialect: a database built by prefectdb's chain at the step's start, the fixture's
 * planted rows, prefectdb's step, and the watched tables compared with what Prefect's own
 * script left (test/fixtures/migrations/data/). `extra` adds a case's own tests.
 */
export function describeDataMigration(title: string, dataCase: DataCase, extra?: (dialect: Dialect) => void): void {
  describe(title, () => {
    after(() => removeTempDirs());
    for (const dialect of testDialects()) {
      describe(dialect, function () {
        before(async function () {
          if (dialect === 'postgres') await requirePostgres(this);
        });
        const fixture = readFixture(dataCase, dialect);
        for (const direction of ['up', 'down'] as const) {
          const expected = fixture[direction];
          if (!expected || !dataCase[direction]) continue;
          it(`${direction}: leaves the rows Prefect's ${direction === 'up' ? 'upgrade' : 'downgrade'} leaves`, async () => {
            let database: ScratchDatabase | undefined;
            try {
              database = await chainDatabaseAt(dialect, direction === 'up' ? fixture.downRevision : fixture.revision);
              await plant(database.knex, dialect, expected.planted);
              await runStep(database, fixture.revision, direction);
              expect(await currentRevision(database.knex)).to.equal(direction === 'up' ? fixture.revision : fixture.downRevision);
              expect(await readWatched(database.knex, dialect, dataCase[direction]!.watch)).to.deep.equal(expected.result);
            } finally {
              await database?.drop();
            }
          });
        }
        extra?.(dialect);
      });
    }
  });
}
