import {expect} from 'chai';

import {runCli} from '../support/cli.js';
import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {emptyDatabase, type EmptyDatabase, NO_DATABASE_ENV, seedOrFail} from '../seed/seeded-database.js';

/**
 * `--all` writes rows as they are read (a batch at a time, over a side connection on SQLite
 * and a cursor on PostgreSQL). It must print exactly what the collected list prints: same
 * rows, order, keys and bytes, in every format. Times computed against "now" (estimated_*)
 * move between two calls and are masked.
 */
function maskNow(text: string): string {
  const json = text.replace(/("estimated_(run_time|start_time_delta)":\s*)[-\d.e]+/g, '$1"…"');
  const [header, ...lines] = json.split('\n');
  const columns = header.split(',');
  const masked = new Set(['estimated_run_time', 'estimated_start_time_delta'].map((key) => columns.indexOf(key)).filter((index) => index >= 0));
  if (masked.size === 0) return json;
  // CSV: the two estimated columns are plain numbers just before auto_scheduled (true/false).
  return [header, ...lines.map((line) => line.replace(/(^|,)-?[\d.e]+,-?[\d.e]+,(?=(true|false),)/, '$1…,…,'))].join('\n');
}

for (const dialect of testDialects()) {
  describe(`--all streams every format with the same output as a collected list (${dialect})`, function () {
    this.timeout(180_000);
    let database: EmptyDatabase;
    const cli = (args: string[]) => runCli([...args, '--db', database.url], NO_DATABASE_ENV);

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      database = await emptyDatabase(dialect);
      // More runs than one streamed batch (500), so batches join up.
      await seedOrFail(database.url, ['--flow-runs', '1200', '--task-runs-per-flow-run', '1', '--logs-per-run', '0']);
    });

    after(async () => {
      await database?.drop();
      removeTempDirs();
    });

    const CASES = [
      ['flow-run', 'ls', '-o', 'json'],
      ['flow-run', 'ls', '-o', 'jsonl'],
      ['flow-run', 'ls', '-o', 'csv'],
      ['flow-run', 'ls', '-q'],
      ['flow-run', 'ls', '-o', 'csv', '--columns', 'id,name,state_type', '--no-header'],
      ['flow-run', 'ls', '-o', 'json', '--fields', 'id,state'],
      ['flow-run', 'ls', '-o', 'jsonl', '--state-type', 'COMPLETED', '--sort', 'start:asc'],
      ['flow-run', 'ls', '-o', 'jsonl', '--state-type', 'FAILED', '--sort', 'created'],
      ['flow-run', 'ls', '--absolute', '--columns', 'id,name,flow,state,expected_start,start'],
      ['task-run', 'ls', '-o', 'json'],
      ['task-run', 'ls', '-o', 'csv', '--state-type', 'COMPLETED'],
      ['artifact', 'ls', '--all-versions', '-o', 'jsonl'],
      ['artifact', 'ls', '--all-versions', '-o', 'csv', '--sort', 'created'],
    ];

    for (const args of CASES) {
      it(`${args.join(' ')} --all`, async () => {
        const streamed = await cli([...args, '--all']);
        const collected = await cli([...args, '--limit', '100000']);
        expect(streamed.exitCode, streamed.stderr).to.equal(0);
        expect(streamed.stdout.length).to.be.greaterThan(1000);
        expect(maskNow(streamed.stdout)).to.equal(maskNow(collected.stdout));
        expect(streamed.stderr).to.equal('');
      });
    }

    it('an empty selection prints an empty JSON array and says so on stderr', async () => {
      const result = await cli(['flow-run', 'ls', '--all', '-o', 'json', '--flow-name', 'no-such-flow']);
      expect(result.exitCode).to.equal(0);
      expect(result.stdout).to.equal('[]\n');
      expect(result.stderr).to.contain('no flow runs found');
    });

    it('an empty selection says so on stderr under -q too, as a cut list does', async () => {
      const runs = await cli(['flow-run', 'ls', '--all', '-q', '--flow-name', 'no-such-flow']);
      expect(runs.stdout).to.equal('');
      expect(runs.stderr).to.contain('no flow runs found');
      const artifacts = await cli(['artifact', 'ls', '--all', '-q', '--key', 'no-such-key']);
      expect(artifacts.stdout).to.equal('');
      expect(artifacts.stderr).to.contain('no artifact keys found');
    });

    it('an unknown --fields name is refused before any row is written', async () => {
      const result = await cli(['flow-run', 'ls', '--all', '-o', 'jsonl', '--fields', 'id,nope']);
      expect(result.exitCode).to.equal(2);
      expect(JSON.parse(result.stdout)).to.have.nested.property('error.code', 'USAGE');
    });
  });
}
