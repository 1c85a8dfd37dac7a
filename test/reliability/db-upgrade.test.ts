import {copyFileSync} from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {HEAD_REVISIONS} from '../../src/db/revisions.js';
import {removeTempDirs, tempDir} from '../support/databases.js';
import {killTrials, runAndKill, runBuiltCli, sqliteConsistencyProblems, trialRandom} from '../support/kill-harness.js';
import {loadSchemaWalk} from '../support/schema-walk.js';
import {revisionOf, rowsOf, schemaOf} from '../support/migration-databases.js';
import {seedOrFail} from '../seed/seeded-database.js';

/**
 * `db upgrade` under kill -9 (issue 12): a seeded database taken down to Prefect 2.13.0 by
 * prefectdb's own downgrade, upgraded and killed at random moments. After every kill the file
 * is whole (integrity, foreign keys, run state pointers) and at a clean revision of the chain;
 * running the upgrade again reaches the head with the same schema and rows as an upgrade that
 * was never interrupted. PREFECTDB_RELIABILITY_RUNS (seeded runs, default 2,000) and
 * PREFECTDB_KILL_TRIALS (default 8) size it.
 */
const RUNS = Number(process.env.PREFECTDB_RELIABILITY_RUNS ?? 2000);
const TRIALS = Number(process.env.PREFECTDB_KILL_TRIALS ?? 8);
const UPGRADE = ['db', 'upgrade', '--yes', '-o', 'table'];
/** Columns migrations fill afresh, as Prefect's do (new rows' ids and timestamps): rows are compared by content. */
const FRESH_COLUMNS = ['id', 'created', 'updated'];

const chainRevisions = new Set(loadSchemaWalk('sqlite').revisions);

function sqlite<T>(file: string, use: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

describe('db upgrade reliability (SQLite)', function () {
  this.timeout(3_600_000);
  let template: string;
  let reference: {schema: string[]; rows: Record<string, string>};
  let fullRunMs: number;

  before(async () => {
    const seeded = path.join(tempDir(), 'seeded.db');
    await seedOrFail(seeded, ['--flow-runs', String(RUNS), '--seed', '31']);
    // Prefect's variables downgrade cannot take an object or a list back into the old string column.
    sqlite(seeded, (db) => db.exec("delete from variable where json_type(value) <> 'text'"));
    const down = await runBuiltCli(['db', 'downgrade', '--to', '2.13.0', '--yes', '--db', seeded]);
    expect(down.exitCode, down.stderr).to.equal(0);
    template = path.join(tempDir(), 'template-2.13.0.db');
    sqlite(seeded, (db) => db.prepare('VACUUM INTO ?').run(template));
    expect(await revisionOf(template)).to.equal('c2d001b7dd06');

    const probe = path.join(tempDir(), 'uninterrupted.db');
    copyFileSync(template, probe);
    const full = await runBuiltCli([...UPGRADE, '--db', probe]);
    expect(full.exitCode, full.stderr).to.equal(0);
    fullRunMs = full.ranMs;
    reference = {schema: [...(await schemaOf(probe, {columnOrder: true}))].map(String).sort(), rows: await rowsOf(probe, FRESH_COLUMNS)};
    expect(reference.rows.flow_run).to.match(new RegExp(`^${RUNS}:`));
  });
  after(removeTempDirs);

  it(`survives kill -9 at ${TRIALS} random moments: a clean revision every time, and a re-run reaches the head with the same schema and rows`, async () => {
    const random = trialRandom(Number(process.env.PREFECTDB_KILL_SEED ?? 20261207));
    const landed = new Set<string>();
    const {interrupted} = await killTrials({
      trials: TRIALS,
      fullRunMs,
      random,
      attempt: async (trial, afterMs) => {
        const file = path.join(tempDir(), `kill-${trial}.db`);
        copyFileSync(template, file);
        const killed = await runAndKill([...UPGRADE, '--db', file], afterMs);
        const where = `trial ${trial} killed after ${afterMs} ms`;
        expect(sqliteConsistencyProblems(file), where).to.deep.equal([]);
        const versions = sqlite(file, (db) => db.prepare('select version_num from alembic_version').pluck().all() as string[]);
        expect(versions, where).to.have.length(1);
        expect(chainRevisions.has(versions[0]), `${where}: ${versions[0]} is a revision of the chain`).to.equal(true);
        landed.add(versions[0]);

        const rerun = await runBuiltCli([...UPGRADE, '--db', file]);
        expect(rerun.exitCode, `${where}: ${rerun.stderr}`).to.equal(0);
        expect(await revisionOf(file)).to.equal(HEAD_REVISIONS.sqlite);
        expect(sqliteConsistencyProblems(file), `${where}, after the re-run`).to.deep.equal([]);
        expect([...(await schemaOf(file, {columnOrder: true}))].map(String).sort(), where).to.deep.equal(reference.schema);
        expect(await rowsOf(file, FRESH_COLUMNS), where).to.deep.equal(reference.rows);
        return killed.killed;
      },
    });
    expect(interrupted, 'trials that really interrupted the command').to.equal(TRIALS);
    process.stderr.write(`      uninterrupted upgrade ${(fullRunMs / 1000).toFixed(1)} s; kills left the database at ${landed.size} different revision(s)\n`);
  });
});
