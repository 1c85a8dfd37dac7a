import {expect} from 'chai';
import Database from 'better-sqlite3';
import {createHash} from 'node:crypto';
import {copyFileSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import pg from 'pg';

import {lookupRevision} from '../../src/db/revisions.js';
import {parseJson, runCli, type CliResult} from '../support/cli.js';
import {copyFixture, createPostgresDatabase, PREFECT_FIXTURES, removeTempDirs, tempDir} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {fixtureDatabase, POSTGRES_REVISION_FOR} from '../support/postgres-fixtures.js';

interface StatusJson {
  dialect: string;
  source: string;
  url: string;
  kind: string;
  alembic_revision: string | null;
  prefect_release: string | null;
  known_revision: boolean;
  readable: boolean;
  row_counts: Record<string, number | null>;
  sqlite: {journal_mode: string} | null;
  postgres: {schema: string} | null;
}

interface ErrorJson {
  error: {code: string; message: string};
}

/** Tables present at every supported revision, so row_counts can never pass by being empty. */
const CORE_TABLES = ['flow', 'flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'deployment', 'work_pool', 'block_type', 'block_schema', 'log'];

/** Unset every variable that chooses the database, so the caller's environment cannot leak in. */
const NO_DATABASE_ENV = {
  PREFECTDB_DATABASE_URL: undefined,
  PREFECT_SERVER_DATABASE_CONNECTION_URL: undefined,
  PREFECT_API_DATABASE_CONNECTION_URL: undefined,
  PREFECT_HOME: undefined,
};

interface SqliteFacts {
  revision: string;
  /** Every table's row count, by plain SQL. */
  counts: Map<string, number>;
}

function readSqliteFacts(file: string): SqliteFacts {
  const db = new Database(file, {readonly: true});
  try {
    const tables = db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'`).pluck().all() as string[];
    const counts = new Map(tables.map((table) => [table, db.prepare(`select count(*) from "${table}"`).pluck().get() as number]));
    return {revision: db.prepare('select version_num from alembic_version').pluck().get() as string, counts};
  } finally {
    db.close();
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function expectUnavailable(result: CliResult): void {
  expect(result.exitCode, result.stderr).to.equal(5);
  expect(result.stdout).to.equal('');
  // One line naming the problem; no stack trace.
  expect(result.stderr).to.match(/^Error: [^\n]+\n$/);
}

async function queryPostgres(url: string, sql: string): Promise<void> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('db status', () => {
  after(removeTempDirs);

  for (const fixture of PREFECT_FIXTURES) {
    describe(`on ${fixture}`, () => {
      let facts: SqliteFacts;

      before(() => {
        facts = readSqliteFacts(copyFixture(fixture));
      });

      for (const dialect of testDialects()) {
        describe(dialect, () => {
          let db: string;
          let drop: (() => Promise<void>) | undefined;

          before(async function () {
            ({url: db, drop} = await fixtureDatabase(this, dialect, fixture));
          });

          after(async () => drop?.());

          it('--json reports the revision, its Prefect release and row counts as plain SQL sees them', async () => {
            const result = await runCli(['db', 'status', '--db', db, '--json']);
            expect(result.exitCode, result.stderr).to.equal(0);
            const status = parseJson<StatusJson>(result);
            const revision = dialect === 'sqlite' ? facts.revision : POSTGRES_REVISION_FOR[facts.revision];
            const release = lookupRevision(dialect, revision)?.release;
            expect(release, `revisions.ts knows ${revision}`).to.be.a('string');
            expect(status).to.include({dialect, source: '--db', kind: 'prefect', alembic_revision: revision, prefect_release: release});
            expect(status).to.include({known_revision: true, readable: true});
            expect(Object.keys(status.row_counts)).to.include.members(CORE_TABLES);
            for (const [table, count] of Object.entries(status.row_counts)) {
              expect(count, table).to.equal(facts.counts.get(table) ?? null);
            }
            if (dialect === 'sqlite') {
              expect(status.sqlite).to.include({journal_mode: 'wal'});
              expect(status.postgres).to.equal(null);
            } else {
              expect(status.postgres).to.include({schema: 'public'});
              expect(status.sqlite).to.equal(null);
            }
          });

          it('table output shows the revision and release, without ANSI escape codes', async () => {
            const result = await runCli(['db', 'status', '--db', db]);
            expect(result.exitCode, result.stderr).to.equal(0);
            const revision = dialect === 'sqlite' ? facts.revision : POSTGRES_REVISION_FOR[facts.revision];
            expect(result.stdout).to.contain(revision);
            expect(result.stdout).to.contain(lookupRevision(dialect, revision)!.release);
            expect(result.stdout).to.not.match(/\u001B\[/);
          });
        });
      }

      it('leaves the SQLite file byte-identical, adds no rows and writes nothing to the WAL', async () => {
        const file = copyFixture(fixture);
        const before = sha256(file);
        for (const args of [['--json'], []]) {
          const result = await runCli(['db', 'status', '--db', file, ...args]);
          expect(result.exitCode, result.stderr).to.equal(0);
        }
        expect(sha256(file)).to.equal(before);
        // WAL mode's own side files are the only ones allowed; a read never appends to the WAL.
        const name = path.basename(file);
        expect(readdirSync(path.dirname(file))).to.satisfy((files: string[]) => files.every((f) => [name, `${name}-wal`, `${name}-shm`].includes(f)));
        expect(statSync(`${file}-wal`, {throwIfNoEntry: false})?.size ?? 0).to.equal(0);
        // Counted through a new connection, which would also see rows left in the WAL.
        expect(readSqliteFacts(file).counts).to.deep.equal(facts.counts);
      });
    });
  }

  describe('when the database cannot be opened', () => {
    it('a missing SQLite file exits 5 with one Error: line on stderr', async () => {
      expectUnavailable(await runCli(['db', 'status', '--db', path.join(tempDir(), 'missing.db')]));
    });

    it('with --json, a missing file exits 5 with a DATABASE_UNAVAILABLE error object on stdout', async () => {
      const result = await runCli(['db', 'status', '--db', path.join(tempDir(), 'missing.db'), '--json']);
      expect(result.exitCode).to.equal(5);
      const {error} = parseJson<ErrorJson>(result);
      expect(error.code).to.equal('DATABASE_UNAVAILABLE');
      expect(error.message).to.contain('missing.db');
    });

    it('an unreachable PostgreSQL server exits 5', async () => {
      const result = await runCli(['db', 'status', '--db', 'postgresql://postgres@127.0.0.1:5999/prefect']);
      expectUnavailable(result);
      expect(result.stderr).to.contain('127.0.0.1:5999');
    });

    it('an unsupported URL scheme exits 5', async () => {
      const result = await runCli(['db', 'status', '--db', 'mysql://root@localhost/prefect']);
      expectUnavailable(result);
      expect(result.stderr).to.contain('mysql://');
    });

    it('a file that is not a SQLite database exits 5', async () => {
      const junk = path.join(tempDir(), 'junk.db');
      writeFileSync(junk, Buffer.from('this is not a database, just some junk bytes\n'.repeat(100)));
      expectUnavailable(await runCli(['db', 'status', '--db', junk]));
    });
  });

  for (const dialect of testDialects()) {
    describe(`on a database Prefect did not build (${dialect})`, () => {
      let emptyDb: string;
      let otherDb: string;
      const drops: Array<() => Promise<void>> = [];

      before(async function () {
        if (dialect === 'postgres') {
          await requirePostgres(this);
          const empty = await createPostgresDatabase('status_empty');
          const other = await createPostgresDatabase('status_other');
          drops.push(empty.drop, other.drop);
          await queryPostgres(other.url, 'create table notes (id integer primary key, body text)');
          [emptyDb, otherDb] = [empty.url, other.url];
        } else {
          // A zero-byte file is a valid, empty SQLite database.
          emptyDb = path.join(tempDir(), 'empty.db');
          writeFileSync(emptyDb, '');
          otherDb = path.join(tempDir(), 'other.db');
          const other = new Database(otherDb);
          other.exec('create table notes (id integer primary key, body text)');
          other.close();
        }
      });

      after(async () => {
        for (const drop of drops.splice(0)) await drop();
      });

      for (const [label, kind] of [
        ['an empty database', 'empty'],
        ['a database with an unrelated table', 'other'],
      ] as const) {
        it(`reports ${label} as kind "${kind}" and counts nothing`, async () => {
          const result = await runCli(['db', 'status', '--db', kind === 'empty' ? emptyDb : otherDb, '--json']);
          expect(result.exitCode, result.stderr).to.equal(0);
          const status = parseJson<StatusJson>(result);
          expect(status).to.include({dialect, kind, alembic_revision: null, readable: false});
          expect(status.row_counts).to.deep.equal({});
        });
      }
    });

    describe(`choosing the database through the environment (${dialect})`, () => {
      let url: string;
      let prefectUrl: string;
      let drop: (() => Promise<void>) | undefined;

      before(async function () {
        if (dialect === 'postgres') {
          await requirePostgres(this);
          const database = await createPostgresDatabase('status_env');
          drop = database.drop;
          url = database.url;
          // The form Prefect's own settings use.
          prefectUrl = url.replace(/^postgres:/, 'postgresql+asyncpg:');
        } else {
          url = copyFixture(PREFECT_FIXTURES[0]);
          prefectUrl = `sqlite+aiosqlite:///${url}`;
        }
      });

      after(async () => drop?.());

      async function statusWith(env: Record<string, string | undefined>): Promise<StatusJson> {
        const result = await runCli(['db', 'status', '--json'], {...NO_DATABASE_ENV, ...env});
        expect(result.exitCode, result.stderr).to.equal(0);
        return parseJson<StatusJson>(result);
      }

      it('PREFECTDB_DATABASE_URL', async () => {
        expect(await statusWith({PREFECTDB_DATABASE_URL: url})).to.include({source: 'PREFECTDB_DATABASE_URL', url, dialect});
      });

      it("Prefect's own PREFECT_API_DATABASE_CONNECTION_URL", async () => {
        expect(await statusWith({PREFECT_API_DATABASE_CONNECTION_URL: prefectUrl})).to.include({
          source: 'PREFECT_API_DATABASE_CONNECTION_URL',
          url,
          dialect,
        });
      });

      it("PREFECTDB_DATABASE_URL wins over Prefect's setting", async () => {
        const status = await statusWith({
          PREFECTDB_DATABASE_URL: url,
          PREFECT_API_DATABASE_CONNECTION_URL: path.join(tempDir(), 'elsewhere.db'),
        });
        expect(status).to.include({source: 'PREFECTDB_DATABASE_URL', url});
      });

      if (dialect === 'sqlite') {
        it('PREFECT_HOME/prefect.db', async () => {
          const home = tempDir();
          const file = path.join(home, 'prefect.db');
          copyFileSync(url, file);
          expect(await statusWith({PREFECT_HOME: home})).to.include({source: 'PREFECT_HOME', url: file, kind: 'prefect'});
        });
      }
    });
  }
});
