import {expect} from 'chai';

import {applyStep, loadChain} from '../../src/db/migration-chain.js';
import {diffSnapshots, type SchemaSnapshot} from '../../src/db/schema-snapshot.js';
import {type ScratchDatabase, scratchDatabase} from '../support/data-migration.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {downgradedSchema, loadSchemaWalk, upgradedSchema} from '../support/schema-walk.js';

// Chain files 01-14 (Prefect 2.13.2 to 2.16.9) walked up from the 2.13.0 baseline and down
// again, each revision compared object by object, column order included, with the schema
// Prefect's own scripts leave there (test/fixtures/migrations/schemas-<dialect>.json).
const LAST = {sqlite: '07ed05dfd4ec', postgres: 'aeea5ee6f070'};

/** Objects the fixture's down walk changed before reaching LAST (downgrades of later steps): not this range's doing. */
function withoutLaterQuirks(snapshot: SchemaSnapshot, laterQuirks: string[]): SchemaSnapshot {
  const kept = new Map(snapshot);
  for (const key of laterQuirks) kept.delete(key);
  return kept;
}

describe('migration chain 01-14 against Prefect’s schemas', () => {
  for (const dialect of testDialects()) {
    describe(dialect, () => {
      const walk = loadSchemaWalk(dialect);
      let db: ScratchDatabase;
      before(async function () {
        if (dialect === 'postgres') await requirePostgres(this);
        db = await scratchDatabase(dialect);
      });
      after(async () => {
        await db?.close();
        removeTempDirs();
      });

      it('up: every revision from 2.13.0 to 2.16.9 has the schema Prefect’s upgrade leaves', async () => {
        const chain = await loadChain(dialect);
        const last = chain.findIndex((step) => step.revision === LAST[dialect]);
        expect(last, 'chain reaches 2.16.9').to.be.greaterThan(0);
        for (const step of chain.slice(0, last + 1)) {
          await applyStep(db.knex, dialect, step, 'up');
          expect(diffSnapshots(upgradedSchema(walk, step.revision), await db.snapshot()), `after up to ${step.name}`).to.deep.equal([]);
        }
      });

      it('down: every step back to 2.13.0 leaves the schema Prefect’s downgrade leaves', async () => {
        const chain = await loadChain(dialect);
        const last = chain.findIndex((step) => step.revision === LAST[dialect]);
        const laterQuirks = Object.keys(walk.down[LAST[dialect]] ?? {});
        for (const step of chain.slice(1, last + 1).reverse()) {
          await applyStep(db.knex, dialect, step, 'down');
          const expected = withoutLaterQuirks(downgradedSchema(walk, step.downRevision!), laterQuirks);
          const actual = withoutLaterQuirks(await db.snapshot(), laterQuirks);
          expect(diffSnapshots(expected, actual), `after down from ${step.name}`).to.deep.equal([]);
        }
      });
    });
  }
});
