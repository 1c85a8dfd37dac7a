import {expect} from 'chai';

import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
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

    it('run delete and db clean by filter show their samples too', async () => {
      const remove = runOnTerminal(['flow-run', 'delete', '--state-type', 'COMPLETED', '--db', db], 'n\n');
      expect(remove.exitCode, remove.screen).to.equal(4);
      expect(remove.screen).to.match(/Selected 2 flow runs; all of them:\r?\n {2}[0-9a-f-]{36} {2}\S+ \/ \S+ {2}Completed/);
      const clean = runOnTerminal(['db', 'clean', '--older-than', '1d', '--db', db], 'n\n');
      expect(clean.exitCode, clean.screen).to.equal(4);
      expect(clean.screen).to.contain('Selected 2 flow runs that ended before the cutoff; all of them:');
      expect(clean.screen).to.contain('78676d70-b7df-4e49-b00a-e3b52d050793');
    });
  });
}
