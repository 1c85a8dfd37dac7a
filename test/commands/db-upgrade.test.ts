import {existsSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {expect} from 'chai';

import type {Dialect} from '../../src/db/dialect.js';
import {parseJson, runCli} from '../support/cli.js';
import {removeTempDirs, tempDir} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {emptyDatabase, execDb, fingerprintOf, revisionOf, type Scratch} from '../support/migration-databases.js';
import {queryDb} from '../support/query-db.js';

interface MigrationJson {
  from: string;
  to: string;
  dry_run: boolean;
  migrations: Array<{revision: string; release: string; description: string; rows: number; seconds: number | null; lost?: {tables: Record<string, number>; columns: Record<string, number>}}>;
}

/** Revisions by dialect: where the chain starts, the last of Prefect 3.0.0, the head. */
const REVISION = {
  sqlite: {baseline: 'c2d001b7dd06', release300: 'f93e1439f022', head: 'f416ea180ae1', steps: 43},
  postgres: {baseline: '50f8c182c3ca', release300: '97429116795e', head: '9e9dadc36797', steps: 43},
} as const;

async function prefectdb(...args: string[]) {
  return runCli(args);
}

function migrationJson(result: Awaited<ReturnType<typeof runCli>>): MigrationJson {
  expect(result.exitCode, result.stderr + result.stdout).to.equal(0);
  return parseJson<MigrationJson>(result);
}

async function tableNames(url: string, dialect: Dialect): Promise<string[]> {
  const rows =
    dialect === 'sqlite'
      ? await queryDb(url, "select name from sqlite_master where type = 'table'")
      : await queryDb(url, 'select tablename as name from pg_tables where schemaname = current_schema()');
  return rows.map((row) => String(row.name));
}

for (const dialect of testDialects()) {
  const rev = REVISION[dialect];

  describe(`db upgrade / db downgrade / db init --to [${dialect}]`, function () {
    this.timeout(300_000);
    const scratches: Scratch[] = [];

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
    });

    after(async () => {
      for (const scratch of scratches) await scratch.drop();
      removeTempDirs();
    });

    async function databaseAt(to: string): Promise<string> {
      const scratch = await emptyDatabase(dialect);
      scratches.push(scratch);
      const init = await prefectdb('db', 'init', '--db', scratch.url, '--to', to);
      expect(init.exitCode, init.stderr).to.equal(0);
      return scratch.url;
    }

    it('db init --to 2.13.0 builds Prefect 2.13.0 with no table of prefectdb\'s, and db status counts the migrations behind head', async () => {
      const url = await databaseAt('2.13.0');
      expect(await revisionOf(url)).to.equal(rev.baseline);
      expect((await tableNames(url, dialect)).filter((name) => name.startsWith('prefectdb'))).to.deep.equal([]);
      const status = parseJson<{alembic_revision: string; migrations_behind_head: number; is_head: boolean}>(await prefectdb('db', 'status', '--db', url, '--json'));
      expect(status).to.include({alembic_revision: rev.baseline, migrations_behind_head: rev.steps, is_head: false});
      const table = await prefectdb('db', 'status', '--db', url);
      expect(table.stdout).to.include(`${rev.steps} migrations behind head: run \`prefectdb db upgrade\``);
    });

    it('upgrade --dry-run prints the plan (every step, its release and rows) and writes nothing', async () => {
      const url = await databaseAt('2.13.0');
      const before = await fingerprintOf(url);
      const plan = migrationJson(await prefectdb('db', 'upgrade', '--db', url, '--dry-run', '--json'));
      expect(plan).to.include({from: rev.baseline, to: rev.head, dry_run: true});
      expect(plan.migrations).to.have.length(rev.steps);
      expect(plan.migrations.every((m) => m.seconds === null && m.rows === 0 && m.release && m.description)).to.equal(true);
      const table = await prefectdb('db', 'upgrade', '--db', url, '--dry-run');
      expect(table.exitCode).to.equal(0);
      expect(table.stdout).to.include(plan.migrations[0].revision).and.include(rev.head);
      expect(table.stderr).to.match(/Dry run: nothing was written/);
      expect(await fingerprintOf(url)).to.equal(before);
    });

    it('upgrade without --yes and without a terminal is refused (exit 4), nothing written', async () => {
      const url = await databaseAt('2.13.0');
      const before = await fingerprintOf(url);
      const refused = await prefectdb('db', 'upgrade', '--db', url);
      expect(refused.exitCode, refused.stderr).to.equal(4);
      expect(refused.stderr).to.match(/--yes/);
      expect(await fingerprintOf(url)).to.equal(before);
    });

    it('upgrade --to 3.0.0 stops at the last migration of that release; -o json reports each step with its rows and seconds', async () => {
      const url = await databaseAt('2.13.0');
      const report = migrationJson(await prefectdb('db', 'upgrade', '--db', url, '--to', '3.0.0', '--yes', '--json'));
      expect(report).to.include({from: rev.baseline, to: rev.release300, dry_run: false});
      expect(report.migrations.at(-1)?.revision).to.equal(rev.release300);
      expect(report.migrations.every((m) => typeof m.seconds === 'number' && m.seconds >= 0)).to.equal(true);
      expect(await revisionOf(url)).to.equal(rev.release300);

      const wrongWay = await prefectdb('db', 'upgrade', '--db', url, '--to', '2.13.0', '--yes');
      expect(wrongWay.exitCode, wrongWay.stderr).to.equal(4);
      expect(wrongWay.stderr).to.match(/below the database's revision .*db downgrade --to 2\.13\.0/);
      const wrongWayDown = await prefectdb('db', 'downgrade', '--db', url, '--to', 'head', '--yes');
      expect(wrongWayDown.exitCode, wrongWayDown.stderr).to.equal(4);
      expect(wrongWayDown.stderr).to.match(/above the database's revision .*db upgrade --to head/);
      expect(await revisionOf(url)).to.equal(rev.release300);
    });

    it('downgrade --dry-run names what is lost, with row counts; downgrade --yes goes back to 2.13.0', async () => {
      const url = await databaseAt('3.0.0');
      const before = await fingerprintOf(url);
      const plan = migrationJson(await prefectdb('db', 'downgrade', '--db', url, '--to', '2.13.0', '--dry-run', '--json'));
      expect(plan).to.include({from: rev.release300, to: rev.baseline, dry_run: true});
      expect(plan.migrations[0].revision).to.equal(rev.release300);
      const lostTables = plan.migrations.flatMap((m) => Object.keys(m.lost?.tables ?? {}));
      expect(lostTables).to.include('deployment_schedule');
      expect(await fingerprintOf(url)).to.equal(before);

      const table = await prefectdb('db', 'downgrade', '--db', url, '--to', '2.13.0', '--dry-run');
      expect(table.stdout).to.match(/LOST/).and.match(/table deployment_schedule \(0 rows\)/);

      const done = migrationJson(await prefectdb('db', 'downgrade', '--db', url, '--to', '2.13.0', '--yes', '--json'));
      expect(done.migrations).to.have.length(plan.migrations.length);
      expect(await revisionOf(url)).to.equal(rev.baseline);
    });

    it('downgrade without --to is a usage error (exit 2)', async () => {
      const url = await databaseAt('2.13.0');
      const result = await prefectdb('db', 'downgrade', '--db', url, '--yes');
      expect(result.exitCode).to.equal(2);
      expect(result.unprinted ?? result.stderr).to.match(/to/);
    });

    it('upgrade to head; at the target it says "already at" and exits 0; db doctor finds no schema drift', async () => {
      const url = await databaseAt('2.13.0');
      const report = migrationJson(await prefectdb('db', 'upgrade', '--db', url, '--yes', '--json'));
      expect(report.migrations).to.have.length(rev.steps);
      expect(await revisionOf(url)).to.equal(rev.head);
      const again = await prefectdb('db', 'upgrade', '--db', url, '--yes');
      expect(again.exitCode).to.equal(0);
      expect(again.stderr).to.match(new RegExp(`already at revision ${rev.head}`));
      const doctor = parseJson<Array<{check: string; status: string; detail: unknown}>>(await prefectdb('db', 'doctor', '--db', url, '--json'));
      expect(doctor.find((f) => f.check === 'schema-drift'), JSON.stringify(doctor.find((f) => f.check === 'schema-drift'))).to.deep.include({status: 'ok'});
    });

    // On PostgreSQL Prefect's variables downgrade writes str(value) and takes every value.
    (dialect === 'sqlite' ? it : it.skip)('refuses, before changing anything, a downgrade that Prefect\'s own script would fail on (a variable holding an object), naming the row (exit 4)', async () => {
      const url = await databaseAt('head');
      await execDb(
        url,
        `insert into variable (id, name, value, tags) values ('0b6a4c51-8e53-4c1f-9d51-2c0a4d3f0a01', 'blocker_object', '{"a": 1}', '[]')`,
      );
      const before = await fingerprintOf(url);
      const refused = await prefectdb('db', 'downgrade', '--db', url, '--to', '2.20.0', '--yes');
      expect(refused.exitCode, refused.stderr).to.equal(4);
      expect(refused.stderr).to.match(/blocker_object|0b6a4c51-8e53-4c1f-9d51-2c0a4d3f0a01/);
      expect(await fingerprintOf(url)).to.equal(before);
    });

    describe('refusals: nothing written, one line naming the way out', () => {
      async function expectRefused(url: string, args: string[], code: number, message: RegExp): Promise<void> {
        const before = existsSync(url) || url.startsWith('postgres') ? await fingerprintOf(url) : undefined;
        const result = await prefectdb('db', args[0], '--db', url, ...args.slice(1));
        expect(result.exitCode, result.stderr).to.equal(code);
        expect(result.stderr).to.match(message);
        expect(result.stderr.trim().split('\n')).to.have.length(1);
        if (before !== undefined) expect(await fingerprintOf(url)).to.equal(before);
      }

      it('a revision older than 2.13.0 (Prefect\'s own upgrade comes first)', async () => {
        const url = await databaseAt('2.13.0');
        await execDb(url, "update alembic_version set version_num = '" + (dialect === 'sqlite' ? '3d46e23593d6' : '5f623ddbf7fe') + "'");
        await expectRefused(url, ['upgrade', '--yes'], 4, /older than Prefect 2\.13\.0.*prefect server database upgrade/);
      });

      it('an unknown (newer) revision, named', async () => {
        const url = await databaseAt('2.13.0');
        await execDb(url, "update alembic_version set version_num = 'abcdef123456'");
        await expectRefused(url, ['upgrade', '--yes'], 4, /revision abcdef123456.*newer Prefect/);
        await expectRefused(url, ['downgrade', '--to', '2.13.0', '--yes'], 4, /revision abcdef123456/);
      });

      it('an empty alembic_version', async () => {
        const url = await databaseAt('2.13.0');
        await execDb(url, 'delete from alembic_version');
        await expectRefused(url, ['upgrade', '--yes'], 4, /alembic_version is empty/);
      });

      it('a database that is not Prefect\'s, and an empty one (an empty file included)', async () => {
        const foreign = await emptyDatabase(dialect);
        scratches.push(foreign);
        await execDb(foreign.url, 'create table foo (id integer primary key)');
        await expectRefused(foreign.url, ['upgrade', '--yes'], 4, /not a Prefect database/);
        const empty = await emptyDatabase(dialect);
        scratches.push(empty);
        if (dialect === 'sqlite') writeFileSync(empty.url, '');
        await expectRefused(empty.url, ['upgrade', '--yes'], 4, /empty, not a Prefect database/);
        await expectRefused(empty.url, ['downgrade', '--to', '2.13.0', '--yes'], 4, /empty, not a Prefect database/);
      });

      it('--to that names nothing in the chain (exit 2), or a release before 2.13.0 (exit 4)', async () => {
        const url = await databaseAt('2.13.0');
        await expectRefused(url, ['upgrade', '--to', 'nonsense', '--yes'], 2, /--to nonsense: not a .* revision/);
        await expectRefused(url, ['upgrade', '--to', '2.12.0', '--yes'], 4, /Prefect 2\.12\.0 is older than Prefect 2\.13\.0/);
        await expectRefused(url, ['upgrade', '--to', '4.0.0', '--yes'], 2, /up to/);
        await expectRefused(url, ['init', '--to', 'nonsense'], 2, /--to nonsense/);
      });
    });

    if (dialect === 'sqlite') {
      it('--backup copies the file first (VACUUM INTO); an existing backup path is refused (exit 4)', async () => {
        const url = await databaseAt('2.13.0');
        const backup = path.join(tempDir(), 'before.db');
        const report = migrationJson(await prefectdb('db', 'upgrade', '--db', url, '--to', '3.0.0', '--backup', backup, '--yes', '--json'));
        expect(report.to).to.equal(rev.release300);
        expect(await revisionOf(backup)).to.equal(rev.baseline);
        const before = await fingerprintOf(url);
        const refused = await prefectdb('db', 'upgrade', '--db', url, '--backup', backup, '--yes');
        expect(refused.exitCode, refused.stderr).to.equal(4);
        expect(refused.stderr).to.match(/already exists/);
        expect(await fingerprintOf(url)).to.equal(before);
      });
    } else {
      it('--backup is for SQLite files (exit 2: pg_dump)', async () => {
        const url = await databaseAt('2.13.0');
        const refused = await prefectdb('db', 'upgrade', '--db', url, '--to', '3.0.0', '--backup', '/tmp/x.db', '--yes');
        expect(refused.exitCode, refused.stderr).to.equal(2);
        expect(refused.stderr).to.match(/pg_dump/);
      });
    }
  });
}
