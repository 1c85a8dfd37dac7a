import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import Database from 'better-sqlite3';
import {expect} from 'chai';
import pg from 'pg';

import {type Database as Connection, openDatabase} from '../../src/db/connection.js';
import type {Dialect} from '../../src/db/dialect.js';
import {migrateToHead} from '../../src/db/migrate.js';
import {HEAD_REVISIONS} from '../../src/db/revisions.js';
import {headCatalogue} from '../../src/schema/head.js';
import {createPostgresDatabase, removeTempDirs, tempDir} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {diffSnapshots, type SchemaSnapshot, snapshotPostgres, snapshotSqlite} from '../../src/db/schema-snapshot.js';

// The schemas Prefect's own migrations build at the head revision (pg_dump / sqlite3 .schema).
const SCHEMA_DIR = fileURLToPath(new URL('../fixtures/schemas/', import.meta.url));
const SQLITE_REFERENCE = path.join(SCHEMA_DIR, 'sqlite-f416ea180ae1-head.sql');
const POSTGRES_REFERENCE = path.join(SCHEMA_DIR, 'postgresql-9e9dadc36797-head.sql');

function expectSameSchema(reference: SchemaSnapshot, built: SchemaSnapshot): void {
  const differences = diffSnapshots(reference, built);
  expect(differences, `db init's schema differs from Prefect's in ${differences.length} object(s):\n${differences.join('\n')}\n`).to.deep.equal([]);
}

/** Sanity check on the comparison itself: a snapshot that saw nothing proves nothing. */
function expectWholeSchema(snapshot: SchemaSnapshot): void {
  const tables = [...snapshot.keys()].filter((key) => /^(table|relation) /.test(key));
  expect(tables).to.have.length(headCatalogue.tables.length);
}

async function alembicRevision(db: Connection): Promise<string[]> {
  const rows: Array<{version_num: string}> = await db.knex('alembic_version').select('version_num');
  return rows.map((row) => row.version_num);
}

/** db init's two promises beyond the schema: the head stamp, and idempotence. */
async function expectStampedAndIdempotent(db: Connection, dialect: Dialect): Promise<void> {
  expect(await alembicRevision(db)).to.deep.equal([HEAD_REVISIONS[dialect]]);
  expect(await migrateToHead(db.knex, dialect)).to.equal(0);
  expect(await alembicRevision(db)).to.deep.equal([HEAD_REVISIONS[dialect]]);
}

const dialects = testDialects();

describe('db init: Prefect head schema', function () {
  after(removeTempDirs);

  (dialects.includes('sqlite') ? describe : describe.skip)('SQLite', function () {
    let reference: SchemaSnapshot;
    let db: Connection;
    let filename: string;

    before(async function () {
      const referenceDb = new Database(':memory:');
      referenceDb.exec(readFileSync(SQLITE_REFERENCE, 'utf8'));
      reference = snapshotSqlite(referenceDb);
      referenceDb.close();

      filename = path.join(tempDir(), 'init.db');
      db = await openDatabase({dialect: 'sqlite', filename, source: '--db', display: filename}, {create: true, write: true});
      expect(await migrateToHead(db.knex, 'sqlite')).to.equal(1);
    });

    after(async function () {
      await db?.knex.destroy();
    });

    function builtSnapshot(): SchemaSnapshot {
      const built = new Database(filename, {readonly: true});
      try {
        return snapshotSqlite(built);
      } finally {
        built.close();
      }
    }

    it('has every table, column, index and constraint of the reference, and nothing else', function () {
      const built = builtSnapshot();
      expectWholeSchema(reference);
      expectSameSchema(reference, built);
    });

    it('is stamped with the head revision, and a second run changes nothing', async function () {
      await expectStampedAndIdempotent(db, 'sqlite');
      expectSameSchema(reference, builtSnapshot());
    });

    it('leaves foreign keys enforced on the connection', async function () {
      const [{foreign_keys}] = await db.knex.raw('PRAGMA foreign_keys');
      expect(foreign_keys).to.equal(1);
    });
  });

  (dialects.includes('postgres') ? describe : describe.skip)('PostgreSQL', function () {
    let referenceDatabase: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
    let builtDatabase: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
    let reference: SchemaSnapshot;
    let db: Connection;

    before(async function () {
      await requirePostgres(this);
      referenceDatabase = await createPostgresDatabase('head_reference');
      builtDatabase = await createPostgresDatabase('head_init');
      // pg_dump output in one simple-protocol query: one implicit transaction, stops at the
      // first error. It empties the session's search_path, so the snapshot takes a new session.
      await withClient(referenceDatabase.url, (client) => client.query(readFileSync(POSTGRES_REFERENCE, 'utf8')));
      reference = await withClient(referenceDatabase.url, snapshotPostgres);
      db = await openDatabase({dialect: 'postgres', connectionString: builtDatabase.url, source: '--db', display: builtDatabase.name}, {write: true});
      expect(await migrateToHead(db.knex, 'postgres')).to.equal(1);
    });

    after(async function () {
      await db?.knex.destroy();
      await referenceDatabase?.drop();
      await builtDatabase?.drop();
    });

    function builtSnapshot(): Promise<SchemaSnapshot> {
      return withClient(builtDatabase!.url, snapshotPostgres);
    }

    it('has every table, column, index, constraint, enum type and extension of the reference, and nothing else', async function () {
      const built = await builtSnapshot();
      expectWholeSchema(reference);
      expectSameSchema(reference, built);
    });

    it('is stamped with the head revision, and a second run changes nothing', async function () {
      await expectStampedAndIdempotent(db, 'postgres');
      expectSameSchema(reference, await builtSnapshot());
    });
  });
});

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
