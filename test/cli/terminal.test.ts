import path from 'node:path';

import {expect} from 'chai';

import {PREFECT_FIXTURES, removeTempDirs, tempDir} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {queryDb} from '../support/query-db.js';
import {hasScript, runOnTerminal} from '../support/terminal.js';

const FIXTURE = PREFECT_FIXTURES.find((name) => name.includes('9e83011d1f2a'))!;

for (const dialect of testDialects()) {
  describe(`on a terminal: bulk confirmations name what they selected [${dialect}]`, function () {
    this.timeout(120_000);
    let db: string;
    let drop: () => Promise<void>;

    before(async function () {
      if (!hasScript()) throw new Error('these tests need util-linux `script` for a pseudo-terminal');
      ({url: db, drop} = await fixtureDatabase(this, dialect, FIXTURE));
    });
    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    const scheduled = () => queryDb(db, `select id, name from flow_run where state_type = 'SCHEDULED' order by id`);

    it('a state change by filter lists the first five runs and how many more before asking; "n" changes nothing', async () => {
      const runs = await scheduled();
      const {screen, exitCode} = runOnTerminal(['flow-run', 'cancel', '--state-type', 'SCHEDULED', '--db', db], 'n\n');
      expect(exitCode, screen).to.equal(4);
      expect(screen).to.contain(`Selected ${runs.length} flow runs; the first 5:`);
      for (const run of runs.slice(0, 5)) expect(screen).to.match(new RegExp(`${run.id}  \\S+ / ${run.name}  Scheduled`));
      expect(screen).not.to.contain(String(runs[5].id));
      expect(screen).to.contain(`… and ${runs.length - 5} more`);
      expect(screen).to.match(/Cancel 6 flow runs\? \[y\/N\]/);
      expect(await scheduled()).to.have.length(runs.length);
    });

    it('run delete and db clean by filter, and flow delete, show their samples too', async () => {
      const remove = runOnTerminal(['flow-run', 'delete', '--state-type', 'COMPLETED', '--db', db], 'n\n');
      expect(remove.exitCode, remove.screen).to.equal(4);
      expect(remove.screen).to.match(/Selected 2 flow runs; all of them:\r?\n {2}[0-9a-f-]{36} {2}\S+ \/ \S+ {2}Completed/);
      const clean = runOnTerminal(['db', 'clean', '--older-than', '1d', '--db', db], 'n\n');
      expect(clean.exitCode, clean.screen).to.equal(4);
      expect(clean.screen).to.contain('Selected 2 flow runs that ended before the cutoff; all of them:');
      expect(clean.screen).to.contain('78676d70-b7df-4e49-b00a-e3b52d050793');
      const flow = runOnTerminal(['flow', 'delete', 'transform-flow', '--db', db], 'n\n');
      expect(flow.exitCode, flow.screen).to.equal(4);
      expect(flow.screen).to.match(/Selected 4 flow runs of transform-flow; all of them:\r?\n {2}[0-9a-f-]{36} {2}transform-flow \/ \S+ {2}\w+/);
    });
  });
}

/** The distinct progress lines a terminal showed (each redraw starts with a carriage return). */
function progressLines(screen: string): string[] {
  return [...new Set(screen.split('\r').map((line) => line.replace(/\u001B\[K/g, '').trim()).filter(Boolean))];
}

describe('on a terminal: long operations show progress with their overall position', function () {
  this.timeout(300_000);
  let dir: string;

  before(function () {
    if (!hasScript()) throw new Error('these tests need util-linux `script` for a pseudo-terminal');
    dir = tempDir();
  });
  after(removeTempDirs);

  it('db seed counts flow runs (not rows) in step 3 of 3; with -o json it shows none', () => {
    const seeded = runOnTerminal(['db', 'seed', '--db', path.join(dir, 'a.db'), '--flow-runs', '300', '--seed', '7']);
    expect(seeded.exitCode, seeded.screen).to.equal(0);
    const lines = progressLines(seeded.screen);
    expect(lines).to.include('creating the schema (step 1 of 3) …');
    expect(lines.some((line) => line.startsWith('writing flow runs (step 3 of 3) [') && line.includes('300/300 flow runs'))).to.equal(true);
    const json = runOnTerminal(['db', 'seed', '--db', path.join(dir, 'j.db'), '--flow-runs', '50', '-o', 'json']);
    expect(json.exitCode, json.screen).to.equal(0);
    expect(json.screen).not.to.contain('step 3 of 3');
  });

  it('db copy names each table with "table k of n", then its pointer, index and verify phases', () => {
    const copy = runOnTerminal(['db', 'copy', path.join(dir, 'a.db'), path.join(dir, 'b.db'), '--verify']);
    expect(copy.exitCode, copy.screen).to.equal(0);
    const lines = progressLines(copy.screen);
    const tables = lines.filter((line) => /^table \d+ of \d+: \w+ \[/.test(line));
    const count = Number(/^table \d+ of (\d+)/.exec(tables[0])![1]);
    expect(count).to.be.greaterThan(30);
    expect(lines.some((line) => line.startsWith(`table ${count} of ${count}: `))).to.equal(true);
    expect(lines.some((line) => /^table \d+ of \d+: flow_run \[#+\] 100% 300\/300 rows/.test(line))).to.equal(true);
    expect(lines.some((line) => line.startsWith('pointer 1 of '))).to.equal(true);
    expect(lines.some((line) => /^rebuilding indexes \[.*\/\d+ indexes/.test(line))).to.equal(true);
    expect(lines.some((line) => line.startsWith(`verifying table ${count} of ${count}: `))).to.equal(true);
  });

  it('db clean goes step by step; a bulk state change counts runs done of the selection', () => {
    const cancel = runOnTerminal(['flow-run', 'cancel', '--state-type', 'SCHEDULED', '--db', path.join(dir, 'b.db'), '--yes']);
    const lines = progressLines(cancel.screen);
    expect(lines.some((line) => /^changing flow runs \[#+\] 100% (\d[\d,]*)\/\1 runs/.test(line)), cancel.screen).to.equal(true);
    const clean = runOnTerminal(['db', 'clean', '--db', path.join(dir, 'b.db'), '--older-than', '1h', '--yes']);
    expect(clean.exitCode, clean.screen).to.equal(0);
    const steps = progressLines(clean.screen).filter((line) => line.startsWith('step '));
    expect(steps[0]).to.match(/^step 1 of (\d+): deleting flow runs past retention \[/);
    const total = Number(/of (\d+)/.exec(steps[0])![1]);
    expect(steps.some((line) => line.startsWith(`step ${total} of ${total}: `))).to.equal(true);
  });
});
