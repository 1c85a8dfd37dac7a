import {expect} from 'chai';
import Database from 'better-sqlite3';
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';

import {HEAD_REVISIONS} from '../../src/db/revisions.js';
import {STATUS_TABLES} from '../../src/repositories/database-stats.js';
import {parseJson, runCli} from '../support/cli.js';
import {copyFixture, createPostgresDatabase, PREFECT_FIXTURES, removeTempDirs, tempDir} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

interface InitJson {
  action: string;
  alembic_revision: string;
}

interface StatusJson {
  kind: string;
  alembic_revision: string;
  is_head: boolean;
  created_by_prefectdb: boolean;
  writable: boolean;
  known_revision: boolean;
  row_counts: Record<string, number | null>;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A fresh location for `dialect`: a path that does not exist yet, or an empty PG database. */
async function freshDatabase(dialect: string): Promise<{url: string; drop: () => Promise<void>}> {
  if (dialect === 'sqlite') return {url: path.join(tempDir(), 'new.db'), drop: async () => undefined};
  return createPostgresDatabase('init');
}

for (const dialect of testDialects()) {
  describe(`db init [${dialect}]`, () => {
    const dropAfter: Array<() => Promise<void>> = [];

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
    });

    after(async () => {
      for (const drop of dropAfter) await drop();
      removeTempDirs();
    });

    it("creates Prefect's head schema on an empty database, then has nothing to do", async () => {
      const fresh = await freshDatabase(dialect);
      dropAfter.push(fresh.drop);
      const first = await runCli(['db', 'init', '--db', fresh.url]);
      expect(first.exitCode, first.stderr).to.equal(0);
      expect(first.stdout).to.equal('');
      expect(first.stderr).to.match(new RegExp(`created Prefect's schema at revision ${HEAD_REVISIONS[dialect as 'sqlite']}`));

      const status = parseJson<StatusJson>(await runCli(['db', 'status', '--db', fresh.url, '--json']));
      expect(status).to.include({kind: 'prefect', alembic_revision: HEAD_REVISIONS[dialect as 'sqlite'], is_head: true, created_by_prefectdb: true, writable: true});
      expect(status.row_counts).to.deep.equal(Object.fromEntries(STATUS_TABLES.map((t) => [t, 0])));

      const second = parseJson<InitJson>(await runCli(['db', 'init', '--db', fresh.url, '--json']));
      expect(second).to.include({action: 'up-to-date', alembic_revision: HEAD_REVISIONS[dialect as 'sqlite']});
    });

    it('leaves a database Prefect built alone and says so', async function () {
      const fixture = await fixtureDatabase(this, dialect as 'sqlite', PREFECT_FIXTURES[0]);
      dropAfter.push(fixture.drop);
      const before = dialect === 'sqlite' ? sha256(fixture.url) : undefined;
      const result = await runCli(['db', 'init', '--db', fixture.url, '--json']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(parseJson<InitJson>(result).action).to.equal('left-to-prefect');
      if (before) expect(sha256(fixture.url)).to.equal(before);
    });

    it('refuses a non-empty database that is not Prefect’s (exit 4) and leaves it as it was', async () => {
      const fresh = await freshDatabase(dialect);
      dropAfter.push(fresh.drop);
      if (dialect === 'sqlite') {
        const sqlite = new Database(fresh.url);
        sqlite.exec('create table inventory (id integer primary key, sku text)');
        sqlite.close();
      } else {
        const pg = await import('pg');
        const client = new pg.default.Client({connectionString: fresh.url});
        await client.connect();
        await client.query('create table inventory (id integer primary key, sku text)');
        await client.end();
      }
      const result = await runCli(['db', 'init', '--db', fresh.url]);
      expect(result.exitCode).to.equal(4);
      expect(result.stderr).to.match(/^Error: refusing to initialise .* not a Prefect database.*\n$/);
      const status = parseJson<StatusJson>(await runCli(['db', 'status', '--db', fresh.url, '--json']));
      expect(status.kind).to.equal('other');
    });
  });
}

describe('a database at a revision prefectdb does not know', () => {
  let file: string;

  before(() => {
    file = copyFixture(PREFECT_FIXTURES[PREFECT_FIXTURES.length - 1]);
    const sqlite = new Database(file);
    sqlite.prepare('update alembic_version set version_num = ?').run('0123456789ab');
    sqlite.close();
  });

  after(removeTempDirs);

  it('is read with a warning on stderr', async () => {
    const result = await runCli(['flow', 'ls', '--db', file, '-q']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.not.equal('');
    expect(result.stderr).to.match(/^Warning: unknown alembic revision 0123456789ab/);
  });

  it('is reported as not writable, and writes are refused (exit 4) without --allow-unknown-revision', async () => {
    const status = parseJson<StatusJson>(await runCli(['db', 'status', '--db', file, '--json']));
    expect(status).to.include({known_revision: false, writable: false});
    const before = readFileSync(file);
    const seed = await runCli(['db', 'seed', '--db', file, '--append', '--flow-runs', '5']);
    expect(seed.exitCode).to.equal(4);
    expect(seed.stderr).to.match(/^Error: .*\n$/);
    expect(readFileSync(file).equals(before)).to.equal(true);
  });
});

