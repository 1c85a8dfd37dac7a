import {copyFileSync} from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {removeTempDirs, tempDir} from '../support/databases.js';
import {sqliteConsistencyProblems} from '../support/kill-harness.js';
import {startLiveWriter} from '../support/live-writer.js';
import {seedOrFail} from '../seed/seeded-database.js';

// The reliability harnesses themselves must be trustworthy before they judge anything.
describe('reliability harnesses', function () {
  this.timeout(120_000);
  let seeded: string;

  before(async () => {
    seeded = path.join(tempDir(), 'harness.db');
    await seedOrFail(seeded, ['--flow-runs', '200', '--seed', '3']);
  });
  after(removeTempDirs);

  it('finds a seeded database consistent', () => {
    expect(sqliteConsistencyProblems(seeded)).to.deep.equal([]);
  });

  it('reports a run whose state pointer is not its newest state', () => {
    const file = path.join(tempDir(), 'broken.db');
    copyFileSync(seeded, file);
    const db = new Database(file);
    const run = db.prepare('select id from flow_run where state_id is not null limit 1').get() as {id: string};
    db.prepare("update flow_run set state_name = 'Wrong' where id = ?").run(run.id);
    db.close();
    expect(sqliteConsistencyProblems(file).join('\n')).to.include(run.id);
  });

  it('live writer commits at least 100 runs/s, consistently, with no error', async () => {
    const file = path.join(tempDir(), 'writer.db');
    copyFileSync(seeded, file);
    const writer = await startLiveWriter(file);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const report = await writer.stop();
    expect(report.errors).to.deep.equal([]);
    expect(report.runsPerSecond).to.be.at.least(100);
    const db = new Database(file, {readonly: true});
    const present = db.prepare("select count(*) as n from flow_run where name like 'live-%'").get() as {n: number};
    db.close();
    expect(present.n).to.equal(report.committed.length);
    expect(sqliteConsistencyProblems(file)).to.deep.equal([]);
  });
});
