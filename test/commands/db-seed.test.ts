import {existsSync} from 'node:fs';
import path from 'node:path';

import {expect} from 'chai';
import Database from 'better-sqlite3';

import {copyFixture, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {parseJson} from '../support/cli.js';
import {emptyDatabase, type EmptyDatabase, openForReading, readTable, seed, seedOrFail, type DomainRow} from '../seed/seeded-database.js';

interface SeedJson {
  dialect: string;
  initialised: boolean;
  appended: boolean;
  flow_runs: number;
  tables: Record<string, number>;
  rows: number;
  rows_per_second: number;
}

const SMALL = ['--flow-runs', '200', '--flows', '4', '--deployments', '6'];

/** The domain rows of the tables seeding writes, per table. */
async function domainData(url: string): Promise<Record<string, DomainRow[]>> {
  const db = await openForReading(url);
  try {
    const out: Record<string, DomainRow[]> = {};
    for (const table of ['flow', 'deployment', 'deployment_schedule', 'work_pool', 'work_queue', 'worker', 'flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'artifact_collection']) {
      out[table] = await readTable(db, table);
    }
    return out;
  } finally {
    await db.knex.destroy();
  }
}

for (const dialect of testDialects()) {
  describe(`db seed (${dialect})`, function () {
    this.timeout(120_000);
    const databases: EmptyDatabase[] = [];
    const fresh = async () => {
      const database = await emptyDatabase(dialect);
      databases.push(database);
      return database.url;
    };

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
    });

    after(async () => {
      for (const database of databases.splice(0)) await database.drop();
      removeTempDirs();
    });

    it('creates the schema in a new database and prints the summary on stderr only', async () => {
      const result = await seed(await fresh(), SMALL);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.match(/^created the schema and seeded /);
      expect(result.stderr).to.match(/flow_run\s+200\n/);
      expect(result.stderr).to.match(/total\s+[\d,]+ rows in [\d.]+ s \([\d,]+ rows\/s\)\n$/);
      // No progress bar when stderr is not a terminal.
      expect(result.stderr).not.to.include('\r');
    });

    it('prints the summary as JSON on stdout with --json', async () => {
      const summary = parseJson<SeedJson>(await seed(await fresh(), [...SMALL, '--json']));
      expect(summary).to.include({dialect, initialised: true, appended: false, flow_runs: 200});
      expect(summary.tables.flow_run).to.equal(200);
      expect(summary.tables.flow).to.equal(4);
      expect(summary.tables.deployment).to.equal(6);
      expect(summary.rows).to.equal(Object.values(summary.tables).reduce((a, b) => a + b, 0));
      expect(summary.rows_per_second).to.be.greaterThan(0);
    });

    it('gives the same rows for the same --seed and --now, and other rows for another seed', async () => {
      const [a, b, c] = [await fresh(), await fresh(), await fresh()];
      await seedOrFail(a, [...SMALL, '--seed', '5']);
      await seedOrFail(b, [...SMALL, '--seed', '5']);
      await seedOrFail(c, [...SMALL, '--seed', '6']);
      const [dataA, dataB, dataC] = [await domainData(a), await domainData(b), await domainData(c)];
      expect(dataA).to.deep.equal(dataB);
      expect(dataC.flow_run.map((r) => r.id)).not.to.deep.equal(dataA.flow_run.map((r) => r.id));
    });

    it('refuses a database that already holds flow runs unless --append is given', async () => {
      const url = await fresh();
      await seedOrFail(url, SMALL);
      const refused = await seed(url, SMALL);
      expect(refused.exitCode).to.equal(4);
      expect(refused.stdout).to.equal('');
      expect(refused.stderr).to.match(/^Error: refusing to seed: .* already holds 200 flow runs \(pass --append to add more, or seed a new database\)\n$/);

      const appended = parseJson<SeedJson>(await seed(url, [...SMALL, '--append', '--json']));
      expect(appended).to.include({appended: true, initialised: false, flow_runs: 200});
      const data = await domainData(url);
      expect(data.flow_run).to.have.length(400);
      expect(data.flow).to.have.length(8);
      expect(new Set(data.flow.map((f) => f.name)).size).to.equal(8);
      expect(new Set(data.work_pool.map((p) => p.name)).size).to.equal(data.work_pool.length);
    });
  });
}

describe('db seed across dialects', function () {
  this.timeout(120_000);
  let postgres: EmptyDatabase | undefined;

  before(async function () {
    if (!testDialects().includes('postgres')) this.skip();
    await requirePostgres(this);
  });

  after(async () => {
    await postgres?.drop();
    removeTempDirs();
  });

  it('writes the same domain data to SQLite and PostgreSQL', async () => {
    const sqlite = await emptyDatabase('sqlite');
    postgres = await emptyDatabase('postgres');
    await seedOrFail(sqlite.url, [...SMALL, '--seed', '3']);
    await seedOrFail(postgres.url, [...SMALL, '--seed', '3']);
    expect(await domainData(postgres.url)).to.deep.equal(await domainData(sqlite.url));
  });
});

describe('db seed on SQLite writes what Prefect writes', function () {
  this.timeout(120_000);
  let file: string;

  before(async () => {
    file = (await emptyDatabase('sqlite')).url;
    await seedOrFail(file, SMALL);
  });

  after(() => removeTempDirs());

  const TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/;
  const TIMESTAMP_COLUMNS: Record<string, string[]> = {
    flow_run: ['created', 'updated', 'expected_start_time', 'next_scheduled_start_time', 'start_time', 'end_time', 'state_timestamp'],
    flow_run_state: ['created', 'updated', 'timestamp'],
    task_run: ['created', 'updated', 'expected_start_time', 'start_time', 'end_time', 'state_timestamp'],
    task_run_state: ['created', 'updated', 'timestamp'],
    log: ['created', 'updated', 'timestamp'],
    deployment: ['created', 'updated', 'last_polled'],
    worker: ['created', 'updated', 'last_heartbeat_time'],
    artifact: ['created', 'updated'],
  };

  function rawValues(sql: string): unknown[] {
    const db = new Database(file, {readonly: true});
    try {
      return db.prepare(sql).pluck().all();
    } finally {
      db.close();
    }
  }

  it('stores timestamps as naive UTC text with six fractional digits', () => {
    for (const [table, columns] of Object.entries(TIMESTAMP_COLUMNS)) {
      for (const column of columns) {
        const values = rawValues(`select "${column}" from "${table}" where "${column}" is not null`);
        expect(values.length, `${table}.${column}`).to.be.greaterThan(0);
        for (const value of values) expect(value, `${table}.${column}`).to.be.a('string').and.match(TIMESTAMP);
      }
    }
  });

  it('stores total_run_time as an offset from 1970-01-01', () => {
    for (const table of ['flow_run', 'task_run']) {
      for (const value of rawValues(`select total_run_time from ${table}`)) {
        expect(value).to.be.a('string').and.match(/^1970-01-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      }
    }
  });

  it("stores JSON as Python's json.dumps text, booleans as 0/1, enums by name", () => {
    const details = rawValues('select state_details from flow_run_state limit 50') as string[];
    for (const text of details) {
      expect(text).to.match(/^\{"flow_run_id": "[0-9a-f-]{36}", "task_run_id": null, /);
      expect(text).not.to.match(/":"|",\s{0}"/);
    }
    for (const text of rawValues(`select created_by from flow_run where auto_scheduled = 1 limit 20`) as string[]) {
      expect(text).to.match(/^\{"id": "[0-9a-f-]{36}", "type": "SCHEDULE", "display_value": "(Interval|Cron|RRule)Schedule"\}$/);
    }
    expect(rawValues('select distinct auto_scheduled from flow_run order by 1')).to.deep.equal([0, 1]);
    expect(rawValues('select distinct typeof(metadata_) from artifact')).to.deep.equal(['text']);
    for (const type of rawValues('select distinct state_type from flow_run')) expect(type).to.match(/^[A-Z]+$/);
  });

  it('rejects flow runs without flows before creating anything', async () => {
    const missing = path.join(path.dirname(file), 'never-created.db');
    const result = await seed(missing, ['--flows', '0']);
    expect(result.exitCode).to.equal(2);
    expect(result.stderr).to.equal('Error: flow runs need a flow: give --flows 1 or more\n');
    expect(existsSync(missing)).to.equal(false);
  });

  it('refuses to seed a Prefect database at an older revision', async () => {
    const result = await seed(copyFixture('prefect-2.x-824e9edafa60.db'), [...SMALL, '--append']);
    expect(result.exitCode).to.equal(4);
    expect(result.stderr).to.match(/^Error: refusing to seed: the database is at alembic revision 824e9edafa60/);
  });
});
