import {execFileSync} from 'node:child_process';

import {expect} from 'chai';

import {parseJson, runCli} from '../support/cli.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {emptyDatabase, type EmptyDatabase, NO_DATABASE_ENV, seedOrFail} from '../seed/seeded-database.js';

interface Finding {
  check: string;
  status: string;
  seconds: number;
}

for (const dialect of testDialects()) {
  describe(`db doctor --check, timings, --full (${dialect})`, function () {
    this.timeout(120_000);
    let database: EmptyDatabase;
    const doctor = (...args: string[]) => runCli(['db', 'doctor', '--db', database.url, '--json', ...args], NO_DATABASE_ENV);

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      await seedOrFail(database.url, ['--flow-runs', '200']);
    });

    after(async () => {
      await database?.drop();
      removeTempDirs();
    });

    it('reports every check with the seconds it took', async () => {
      const findings = parseJson<Finding[]>(await doctor());
      expect(findings.length).to.be.greaterThan(10);
      for (const finding of findings) expect(finding.seconds, finding.check).to.be.a('number').and.at.least(0);
    });

    it('--check runs only the named checks, in report order', async () => {
      const result = await doctor('--check', 'storage,zombie-runs', '--check', 'late-runs');
      expect([0, 6]).to.include(result.exitCode);
      expect(parseJson<Finding[]>(result).map((f) => f.check)).to.deep.equal(['zombie-runs', 'late-runs', 'storage']);
    });

    it('an unknown --check name is refused with the valid names, exit 2', async () => {
      const result = await runCli(['db', 'doctor', '--db', database.url, '--check', 'zombies'], NO_DATABASE_ENV);
      expect(result.exitCode).to.equal(2);
      expect(result.stderr).to.match(/unknown check "zombies": use one of zombie-runs, /);
    });

    if (dialect === 'sqlite') {
      it('the default quick_check misses a stale index entry that --full finds', async () => {
        // An index SQLite stopped maintaining while a row changed, then put back (see db-doctor.test.ts).
        const sqlite3 = (sql: string) => execFileSync('sqlite3', [database.url], {input: sql});
        sqlite3(`create index doctor_ix on log(name); create table doctor_keep as select * from sqlite_master where name = 'doctor_ix';
          pragma writable_schema = on; delete from sqlite_master where name = 'doctor_ix';`);
        sqlite3(`update log set name = name || '-moved' where rowid = (select min(rowid) from log);
          pragma writable_schema = on; insert into sqlite_master select * from doctor_keep;`);
        sqlite3('drop table doctor_keep;');
        const quick = parseJson<Finding[]>(await doctor('--check', 'integrity'));
        expect(quick).to.deep.include.members([{...quick[0], check: 'integrity', status: 'ok'}]);
        const full = parseJson<Finding[]>(await doctor('--check', 'integrity', '--full'));
        expect(full[0]).to.include({check: 'integrity', status: 'found'});
      });
    }
  });
}
