import {expect} from 'chai';
import Database from 'better-sqlite3';
import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import path from 'node:path';
import pg from 'pg';

import {HEAD_REVISIONS} from '../../src/db/revisions.js';
import {parseJson, runCli} from '../support/cli.js';
import {
  emptySqliteLike,
  expectSameStoredRows,
  postgresWithReferenceSchema,
  sqliteIndexes,
  storedPostgresRows,
  storedSqliteRows,
} from '../support/copy-databases.js';
import {copyFixture, createPostgresDatabase, PREFECT_FIXTURES, removeTempDirs, tempDir} from '../support/databases.js';
import {requirePostgres} from '../support/dialects.js';
import {loadFixtureIntoPostgres, POSTGRES_REVISION_FOR} from '../support/postgres-fixtures.js';

interface CopyJson {
  tables: Record<string, {source: number; copied: number; skipped: number}>;
  verified: boolean;
  rejected: Array<{table: string; id: string; reason: string}>;
  checksums?: Record<string, {differing_count: number}>;
}

async function copy(args: string[]): Promise<CopyJson> {
  const result = await runCli(['db', 'copy', ...args, '--json']);
  expect(result.exitCode, result.stdout + result.stderr).to.equal(0);
  return parseJson<CopyJson>(result);
}

function sqliteRevision(file: string): string {
  const db = new Database(file, {readonly: true});
  try {
    return db.prepare('select version_num from alembic_version').pluck().get() as string;
  } finally {
    db.close();
  }
}

/** Every table's source count was copied, none skipped, and the checksums agree. */
function expectCompleteCopy(report: CopyJson): void {
  expect(report.verified).to.equal(true);
  expect(report.rejected).to.deep.equal([]);
  expect(Object.keys(report.tables)).to.include.members(['flow', 'flow_run', 'alembic_version']);
  for (const [table, counts] of Object.entries(report.tables)) {
    expect(counts.copied, table).to.equal(counts.source);
    expect(counts.skipped, table).to.equal(0);
  }
  for (const [table, comparison] of Object.entries(report.checksums ?? {})) expect(comparison.differing_count, table).to.equal(0);
}

describe('db copy: round trips over the real Prefect databases', function () {
  this.timeout(120_000);
  before(async function () {
    await requirePostgres(this);
  });
  after(removeTempDirs);

  for (const fixture of PREFECT_FIXTURES) {
    it(`${fixture}: SQLite → PostgreSQL → SQLite gives back every stored value`, async () => {
      const source = copyFixture(fixture);
      const revision = sqliteRevision(source);
      const middle = await postgresWithReferenceSchema(POSTGRES_REVISION_FOR[revision]);
      try {
        expectCompleteCopy(await copy([source, middle.url, '--verify']));
        const back = emptySqliteLike(fixture);
        expectCompleteCopy(await copy([middle.url, back, '--verify']));
        expect(sqliteRevision(back)).to.equal(revision);
        expectSameStoredRows(storedSqliteRows(back), storedSqliteRows(source), fixture);
      } finally {
        await middle.drop();
      }
    });

    it(`${fixture}: PostgreSQL → SQLite → PostgreSQL gives back every stored value`, async () => {
      const original = await loadFixtureIntoPostgres(fixture);
      const back = await postgresWithReferenceSchema(POSTGRES_REVISION_FOR[sqliteRevision(copyFixture(fixture))]);
      try {
        const middle = emptySqliteLike(fixture);
        expectCompleteCopy(await copy([original.url, middle, '--verify']));
        expectCompleteCopy(await copy([middle, back.url, '--verify']));
        expectSameStoredRows(await storedPostgresRows(back.url), await storedPostgresRows(original.url), fixture);
      } finally {
        await original.drop();
        await back.drop();
      }
    });
  }
});

describe('db copy: head databases, every direction', function () {
  this.timeout(180_000);
  let seeded: string;
  const dropAfter: Array<() => Promise<void>> = [];

  before(async function () {
    await requirePostgres(this);
    seeded = path.join(tempDir(), 'seeded.db');
    const seed = await runCli(['db', 'seed', '--db', seeded, '--flow-runs', '300', '--seed', '3', '--json']);
    expect(seed.exitCode, seed.stderr).to.equal(0);
  });
  after(async () => {
    for (const drop of dropAfter) await drop();
    removeTempDirs();
  });

  async function emptyPostgres(): Promise<string> {
    const database = await createPostgresDatabase('copy');
    dropAfter.push(database.drop);
    return database.url;
  }

  it("builds an empty PostgreSQL target with db init, and the copy is Prefect's head there and back", async () => {
    const target = await emptyPostgres();
    expectCompleteCopy(await copy([seeded, target, '--verify']));
    const status = parseJson<{alembic_revision: string; is_head: boolean}>(await runCli(['db', 'status', '--db', target, '--json']));
    expect(status).to.include({alembic_revision: HEAD_REVISIONS.postgres, is_head: true});

    const back = path.join(tempDir(), 'back.db');
    expectCompleteCopy(await copy([target, back, '--verify']));
    const backStatus = parseJson<{alembic_revision: string; is_head: boolean}>(await runCli(['db', 'status', '--db', back, '--json']));
    expect(backStatus).to.include({alembic_revision: HEAD_REVISIONS.sqlite, is_head: true});
    expectSameStoredRows(storedSqliteRows(back), storedSqliteRows(seeded), 'seeded head');
  });

  it('copies SQLite → SQLite and PostgreSQL → PostgreSQL', async () => {
    const sqliteCopy = path.join(tempDir(), 'copy.db');
    expectCompleteCopy(await copy([seeded, sqliteCopy, '--verify']));
    expectSameStoredRows(storedSqliteRows(sqliteCopy), storedSqliteRows(seeded), 'SQLite → SQLite');
    // Indexes are dropped for the load and rebuilt from their own definitions.
    expect(sqliteIndexes(sqliteCopy)).to.deep.equal(sqliteIndexes(seeded));

    const first = await emptyPostgres();
    const second = await emptyPostgres();
    expectCompleteCopy(await copy([seeded, first]));
    expectCompleteCopy(await copy([first, second, '--verify']));
    expectSameStoredRows(await storedPostgresRows(second), await storedPostgresRows(first), 'PostgreSQL → PostgreSQL');
    expect(await postgresIndexes(second)).to.deep.equal(await postgresIndexes(first));
    expect((await postgresIndexes(first)).length).to.be.greaterThan(100);
  });

  for (const dialect of ['sqlite', 'postgres'] as const) {
    describe(`refusals and modes, ${dialect} target`, () => {
      async function freshTarget(): Promise<string> {
        return dialect === 'sqlite' ? path.join(tempDir(), 'target.db') : emptyPostgres();
      }

      async function fingerprint(url: string): Promise<string> {
        const stored = dialect === 'sqlite' ? storedSqliteRows(url) : await storedPostgresRows(url);
        return createHash('sha256').update(JSON.stringify([...stored])).digest('hex');
      }

      it('refuses a target that already holds rows (exit 4) and changes nothing', async () => {
        const target = await freshTarget();
        await copy([seeded, target]);
        const before = await fingerprint(target);
        const refused = await runCli(['db', 'copy', seeded, target, '--yes']);
        expect(refused.exitCode, refused.stderr).to.equal(4);
        expect(refused.stderr).to.match(/^Error: the target already holds rows .*--append.*--resume[^\n]*\n$/);
        expect(await fingerprint(target)).to.equal(before);
      });

      const olderSources = [
        {fixture: 'prefect-2.x-c2d001b7dd06.db', sqlite: 'c2d001b7dd06', postgres: '50f8c182c3ca', release: '2.13.0'},
        {fixture: 'prefect-2.x-824e9edafa60.db', sqlite: '824e9edafa60', postgres: '15768c2ec702', release: '2.17.0'},
      ];
      for (const older of olderSources) {
        it(`builds an empty target at an older source's own revision (${older.release}) through Prefect's chain, and copies every row`, async () => {
          const empty = await freshTarget();
          expectCompleteCopy(await copy([copyFixture(older.fixture), empty, '--verify']));
          const status = parseJson<{alembic_revision: string; prefect_release: string}>(await runCli(['db', 'status', '--db', empty, '--json']));
          expect(status).to.include({alembic_revision: older[dialect], prefect_release: older.release});
          const drift = await runCli(['db', 'doctor', '--db', empty, '--json']);
          const findings = parseJson<Array<{check: string; status: string; sample_ids: string[]}>>(drift);
          expect(findings.find((f) => f.check === 'schema-drift')).to.deep.include({status: 'ok', sample_ids: []});
        });
      }

      it('refuses an older source into a target with the head schema (exit 4), and changes nothing', async () => {
        const older = copyFixture('prefect-2.x-824e9edafa60.db');
        const head = await freshTarget();
        expect((await runCli(['db', 'init', '--db', head])).exitCode).to.equal(0);
        const before = await fingerprint(head);
        const mismatch = await runCli(['db', 'copy', older, head]);
        expect(mismatch.exitCode, mismatch.stderr).to.equal(4);
        expect(mismatch.stderr).to.match(/target is at revision|schema is not the source's/);
        expect(await fingerprint(head)).to.equal(before);
      });

      it('--append skips and counts the rows whose ids exist, and copies the new ones', async () => {
        const source = path.join(tempDir(), 'growing.db');
        expect((await runCli(['db', 'seed', '--db', source, '--flow-runs', '40', '--seed', '5'])).exitCode).to.equal(0);
        const target = await freshTarget();
        await copy([source, target]);
        const again = await copy([source, target, '--append', '--yes', '--verify']);
        expect(again.verified).to.equal(true);
        for (const [table, counts] of Object.entries(again.tables)) {
          expect(counts.copied, table).to.equal(0);
          expect(counts.skipped, table).to.equal(counts.source);
        }
        expect(again.tables.flow_run.skipped).to.equal(40);

        expect((await runCli(['db', 'seed', '--db', source, '--flow-runs', '25', '--seed', '6', '--append'])).exitCode).to.equal(0);
        const grown = await copy([source, target, '--append', '--yes', '--verify']);
        expect(grown.verified).to.equal(true);
        expect(grown.tables.flow_run).to.deep.equal({source: 65, copied: 25, skipped: 40});
        const withoutYes = await runCli(['db', 'copy', source, target, '--append']);
        expect(withoutYes.exitCode).to.equal(4);
      });

      it('--resume finishes an interrupted copy, and refuses a target holding another copy', async () => {
        const target = await freshTarget();
        expectCompleteCopy(await copy([seeded, target]));
        await truncateTail(dialect, target);
        const resumed = await copy([seeded, target, '--resume', '--verify']);
        expect(resumed.verified).to.equal(true);
        expect(resumed.tables.log.copied).to.be.greaterThan(0);
        expect(resumed.tables.log.copied + resumed.tables.log.skipped).to.equal(resumed.tables.log.source);
        expect(resumed.tables.flow.copied).to.equal(0);

        const other = path.join(tempDir(), 'other.db');
        expect((await runCli(['db', 'seed', '--db', other, '--flow-runs', '10', '--seed', '9'])).exitCode).to.equal(0);
        await truncateTail(dialect, target);
        const refused = await runCli(['db', 'copy', other, target, '--resume']);
        expect(refused.exitCode, refused.stderr).to.equal(4);
        expect(refused.stderr).to.match(/another database/);
      });

      it('reports a row the target refuses by table and id (exit 6) and copies the rest', async () => {
        const broken = path.join(tempDir(), 'broken.db');
        expect((await runCli(['db', 'seed', '--db', broken, '--flow-runs', '20', '--seed', '8'])).exitCode).to.equal(0);
        const orphan = '00000000-0000-4000-8000-0000000000aa';
        const db = new Database(broken);
        db.pragma('foreign_keys = OFF');
        const state = db.prepare('select * from flow_run_state limit 1').get() as Record<string, unknown>;
        const columns = Object.keys(state);
        db.prepare(`insert into flow_run_state (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`).run(
          columns.map((c) => (c === 'id' ? orphan : c === 'flow_run_id' ? '00000000-0000-4000-8000-0000000000bb' : state[c])),
        );
        db.close();

        const target = await freshTarget();
        const result = await runCli(['db', 'copy', broken, target, '--json']);
        expect(result.exitCode, result.stderr).to.equal(6);
        const report = parseJson<CopyJson>(result);
        expect(report.verified).to.equal(false);
        expect(report.rejected).to.have.length(1);
        expect(report.rejected[0]).to.include({table: 'flow_run_state', id: orphan});
        expect(report.rejected[0].reason).to.match(/foreign key/);
        expect(report.tables.flow_run_state.copied).to.equal(report.tables.flow_run_state.source - 1);
        expect(report.tables.flow_run.copied).to.equal(20);
      });

      it('--verify names the rows whose values differ (exit 6)', async () => {
        const target = await freshTarget();
        await copy([seeded, target]);
        const changed = await changeOneFlow(dialect, target);
        const result = await runCli(['db', 'copy', seeded, target, '--append', '--yes', '--verify', '--json']);
        expect(result.exitCode, result.stderr).to.equal(6);
        const report = parseJson<CopyJson & {checksums: Record<string, {differing: string[]; differing_count: number}>}>(result);
        expect(report.checksums.flow).to.include({differing_count: 1});
        expect(report.checksums.flow.differing).to.deep.equal([changed]);
        expect(report.checksums.flow_run.differing_count).to.equal(0);
      });

      it('--dry-run reports the counts the real copy reports and writes nothing', async () => {
        const target = await freshTarget();
        const result = await runCli(['db', 'copy', seeded, target, '--dry-run', '--json']);
        expect(result.exitCode, result.stderr).to.equal(0);
        const report = parseJson<CopyJson & {dry_run: boolean}>(result);
        expect(report.dry_run).to.equal(true);
        expect(report.tables.flow_run.source).to.equal(300);
        if (dialect === 'sqlite') expect(existsSync(target)).to.equal(false);
        else expect((await storedPostgresRows(target)).size).to.equal(0);
        const real = await runCli(['db', 'copy', seeded, target, '--json']);
        expect(real.exitCode, real.stderr).to.equal(0);
        expect(report.tables).to.deep.equal(parseJson<CopyJson>(real).tables);
      });
    });
  }
});

async function postgresIndexes(url: string): Promise<string[]> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    const {rows} = await client.query<{indexdef: string}>(`select indexdef from pg_indexes where schemaname = 'public' order by indexname`);
    return rows.map((r) => r.indexdef);
  } finally {
    await client.end();
  }
}

/** Changes one flow's description on the target behind prefectdb's back; returns its id. */
async function changeOneFlow(dialect: 'sqlite' | 'postgres', target: string): Promise<string> {
  if (dialect === 'sqlite') {
    const db = new Database(target);
    try {
      const id = db.prepare('select id from flow order by id limit 1').pluck().get() as string;
      db.prepare(`update flow set name = name || '-changed' where id = ?`).run(id);
      return id;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({connectionString: target});
  await client.connect();
  try {
    const {rows} = await client.query(`update flow set name = name || '-changed' where id = (select id from flow order by id limit 1) returning id::text`);
    return rows[0].id;
  } finally {
    await client.end();
  }
}

/**
 * What an interrupted copy leaves: the last logs missing (pages commit in key order) and
 * the copy marker still there, as written at the start of the copy.
 */
async function truncateTail(dialect: 'sqlite' | 'postgres', target: string): Promise<void> {
  const marker = `create table if not exists prefectdb_copy (name varchar(128) primary key, value text not null)`;
  if (dialect === 'sqlite') {
    const db = new Database(target);
    try {
      const ids = db.prepare('select id from log order by id desc limit 50').pluck().all() as string[];
      db.prepare(`delete from log where id >= ?`).run(ids[ids.length - 1]);
      db.exec(marker);
      const fingerprintRow = db.prepare(`select count(*) from prefectdb_copy`).pluck().get() as number;
      if (fingerprintRow === 0) db.prepare(`insert into prefectdb_copy values ('source', ?)`).run(readMarker(db));
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({connectionString: target});
  await client.connect();
  try {
    await client.query(`delete from log where id in (select id from log order by id desc limit 50)`);
    await client.query(marker);
    const {rows} = await client.query(`select count(*)::int as n from prefectdb_copy`);
    if (rows[0].n === 0) await client.query(`insert into prefectdb_copy values ('source', $1)`, [await postgresMarker(client)]);
  } finally {
    await client.end();
  }
}

// The marker a copy of `seeded` writes: its revision and the first flow and flow run ids.
function readMarker(db: Database.Database): string {
  const revision = db.prepare('select version_num from alembic_version').pluck().get() as string;
  const flow = db.prepare('select min(id) from flow').pluck().get();
  const flowRun = db.prepare('select min(id) from flow_run').pluck().get();
  return JSON.stringify({revision, flow, flow_run: flowRun});
}

async function postgresMarker(client: pg.Client): Promise<string> {
  const flow = (await client.query('select id::text from flow order by id limit 1')).rows[0]?.id ?? null;
  const flowRun = (await client.query('select id::text from flow_run order by id limit 1')).rows[0]?.id ?? null;
  return JSON.stringify({revision: HEAD_REVISIONS.sqlite, flow, flow_run: flowRun});
}
