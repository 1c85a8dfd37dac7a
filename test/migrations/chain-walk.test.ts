import path from 'node:path';

import Database from 'better-sqlite3';
import {expect} from 'chai';
import pg from 'pg';

import {type Database as Connection, openDatabase} from '../../src/db/connection.js';
import type {Dialect} from '../../src/db/dialect.js';
import {migrateToHead} from '../../src/db/migrate.js';
import {applyStep, type ChainStep, loadChain} from '../../src/db/migration-chain.js';
import {diffSnapshots, type SchemaSnapshot, snapshotPostgres, snapshotSqlite} from '../../src/db/schema-snapshot.js';
import {createPostgresDatabase, removeTempDirs, tempDir} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {downgradedSchema, loadSchemaWalk, type SchemaWalk, upgradedSchema} from '../support/schema-walk.js';

/**
 * Prefect's whole chain, as prefectdb's migrations/ run it: up from an empty database to the
 * head and down again to 2.13.0, the schema at every revision compared object by object
 * (column order included) with what Prefect's own scripts leave there
 * (test/fixtures/migrations/schemas-<dialect>.json).
 */

interface Scratch {
  url: string;
  db: Connection;
  snapshot(options?: {columnOrder?: boolean}): Promise<SchemaSnapshot>;
  close(): Promise<void>;
}

async function scratchDatabase(dialect: Dialect, label: string): Promise<Scratch> {
  if (dialect === 'sqlite') {
    const filename = path.join(tempDir(), `${label}.db`);
    const db = await openDatabase({dialect, filename, source: '--db', display: filename}, {create: true, write: true});
    return {
      url: filename,
      db,
      snapshot: async (options = {}) => {
        const reader = new Database(filename, {readonly: true});
        try {
          return snapshotSqlite(reader, options);
        } finally {
          reader.close();
        }
      },
      close: () => db.knex.destroy(),
    };
  }
  const created = await createPostgresDatabase(label);
  const db = await openDatabase({dialect, connectionString: created.url, source: '--db', display: created.name}, {write: true});
  return {
    url: created.url,
    db,
    snapshot: async (options = {}) => {
      const client = new pg.Client({connectionString: created.url});
      await client.connect();
      try {
        return await snapshotPostgres(client, options);
      } finally {
        await client.end();
      }
    },
    close: async () => {
      await db.knex.destroy();
      await created.drop();
    },
  };
}

function describeDifferences(where: string, differences: string[]): string {
  return `${where}: ${differences.length} difference(s)\n  ${differences.slice(0, 8).join('\n  ')}`;
}

for (const dialect of testDialects()) {
  describe(`migration chain, ${dialect}: every revision up and down is the schema Prefect's own scripts leave`, function () {
    this.timeout(600_000);
    let walk: SchemaWalk;
    let chain: ChainStep[];
    let scratch: Scratch;
    let headThroughChain: SchemaSnapshot | undefined;

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      walk = loadSchemaWalk(dialect);
      scratch = await scratchDatabase(dialect, 'chain_walk');
    });

    after(async () => {
      await scratch?.close();
      removeTempDirs();
    });

    it("holds one step per revision of Prefect's chain from 2.13.0 to the head, in Prefect's order", async () => {
      chain = await loadChain(dialect);
      expect(chain.map((step) => step.revision)).to.deep.equal(walk.revisions);
    });

    it('goes up from an empty database to the head, each revision as Prefect upgrades to it', async function () {
      if (!chain) this.skip();
      const problems: string[] = [];
      for (const step of chain) {
        await applyStep(scratch.db.knex, dialect, step, 'up');
        const differences = diffSnapshots(upgradedSchema(walk, step.revision), await scratch.snapshot({columnOrder: true}));
        if (differences.length > 0) problems.push(describeDifferences(`up to ${step.name}`, differences));
      }
      headThroughChain = await scratch.snapshot();
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });

    it("builds the same head as db init's shortcut (column order aside: the catalogue orders columns its own way)", async function () {
      if (!headThroughChain) this.skip();
      const shortcut = await scratchDatabase(dialect, 'head_shortcut');
      try {
        expect(await migrateToHead(shortcut.db.knex, dialect)).to.equal(1);
        const differences = diffSnapshots(await shortcut.snapshot(), headThroughChain);
        expect(differences, differences.join('\n')).to.deep.equal([]);
        expect([...headThroughChain.keys()].filter((key) => /^(table|relation) /.test(key)).length).to.be.greaterThan(30);
      } finally {
        await shortcut.close();
      }
    });

    it('goes down from the head to 2.13.0, each revision as Prefect downgrades to it (its quirks included)', async function () {
      if (!headThroughChain) this.skip();
      const problems: string[] = [];
      for (const step of [...chain].reverse().slice(0, -1)) {
        await applyStep(scratch.db.knex, dialect, step, 'down');
        const landing = step.downRevision as string;
        const differences = diffSnapshots(downgradedSchema(walk, landing), await scratch.snapshot({columnOrder: true}));
        if (differences.length > 0) problems.push(describeDifferences(`down from ${step.name} to ${landing}`, differences));
      }
      const [{version_num}] = await scratch.db.knex('alembic_version').select('version_num');
      expect(version_num).to.equal(walk.revisions[0]);
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });
  });
}
