import {Config} from '@oclif/core';
import {expect} from 'chai';
import {fileURLToPath} from 'node:url';

import {parseJson, runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Every list command, read from the manifest: ones added later are covered too.
const config = await Config.load({root: ROOT, devPlugins: false, userPlugins: false});
const LIST_COMMANDS = config.commands.filter((c) => c.pluginName === 'prefectdb' && c.id.endsWith(':ls')).map((c) => c.id).sort();
const RUNNABLE = LIST_COMMANDS.filter((id) => !Object.values(config.findCommand(id)!.args ?? {}).some((arg) => arg.required));

describe('column choice flags on every ls', () => {
  it('every ls command takes --columns, --fields and --no-header', () => {
    expect(LIST_COMMANDS.length).to.be.greaterThan(8);
    for (const id of LIST_COMMANDS) expect(Object.keys(config.findCommand(id)!.flags), id).to.include.members(['columns', 'fields', 'no-header']);
  });
});

for (const dialect of testDialects()) {
  describe(`column choice on every ls [${dialect}]`, function () {
    this.timeout(300_000);
    // The 2.x fixture with the most kinds of rows; every list is checked wherever it has rows.
    const fixture = PREFECT_FIXTURES[PREFECT_FIXTURES.length - 1];
    let db: string;
    let drop: () => Promise<void>;

    before(async function () {
      ({url: db, drop} = await fixtureDatabase(this, dialect, fixture));
    });
    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    for (const id of RUNNABLE) {
      const argv = id.split(':');
      it(`${argv.join(' ')}: --fields cuts JSON, --columns picks table/CSV columns, --no-header drops the heading, unknown names exit 2`, async () => {
        const full = parseJson<Array<Record<string, unknown>>>(await runCli([...argv, '--db', db, '--json', '--limit', '5']));
        if (full.length === 0) return;
        const keys = Object.keys(full[0]);
        const picked = [keys.at(-1)!, keys[0]];

        const cut = parseJson<Array<Record<string, unknown>>>(await runCli([...argv, '--db', db, '--json', '--limit', '5', '--fields', picked.join(',')]));
        expect(cut).to.deep.equal(full.map((row) => ({[picked[0]]: row[picked[0]], [picked[1]]: row[picked[1]]})));
        expect(Object.keys(cut[0])).to.deep.equal(picked);

        const jsonl = await runCli([...argv, '--db', db, '-o', 'jsonl', '--limit', '5', '--fields', keys[0]]);
        expect(jsonl.stdout.trimEnd().split('\n').map((line) => Object.keys(JSON.parse(line)))).to.deep.equal(full.map(() => [keys[0]]));

        const csv = await runCli([...argv, '--db', db, '-o', 'csv', '--limit', '5', '--columns', picked.join(',')]);
        expect(csv.stdout.split('\n')[0]).to.equal(picked.join(','));
        const bare = await runCli([...argv, '--db', db, '-o', 'csv', '--limit', '5', '--columns', picked.join(','), '--no-header']);
        expect(bare.stdout.split('\n').slice(0, -1)).to.deep.equal(csv.stdout.split('\n').slice(1, -1));

        const table = await runCli([...argv, '--db', db, '--limit', '5', '--columns', keys[0]]);
        const lines = table.stdout.trimEnd().split('\n');
        expect(lines[0].trim()).to.equal(keys[0].toUpperCase().replaceAll('_', ' '));
        expect(lines).to.have.length(full.length + 1);
        const headless = await runCli([...argv, '--db', db, '--limit', '5', '--columns', keys[0], '--no-header']);
        expect(headless.stdout.trimEnd().split('\n')).to.deep.equal(lines.slice(1));

        for (const bad of [['--columns', 'no_such_column'], ['--json', '--fields', `${keys[0]},no_such_field`]]) {
          const result = await runCli([...argv, '--db', db, '--limit', '5', ...bad]);
          expect(result.exitCode, bad.join(' ')).to.equal(2);
          expect(result.stdout).to.equal(bad[0] === '--json' ? result.stdout : '');
          expect(result.stderr + result.stdout).to.include('no_such_').and.include(keys[0]);
        }
      });
    }

    it('flow-run ls --columns takes the table headings in lower case and keeps their formatting', async () => {
      const result = await runCli(['flow-run', 'ls', '--db', db, '--limit', '3', '--columns', 'state,name,expected_start', '--absolute']);
      expect(result.exitCode, result.stderr).to.equal(0);
      const [header, ...rows] = result.stdout.trimEnd().split('\n');
      expect(header.split(/\s{2,}/)).to.deep.equal(['STATE', 'NAME', 'EXPECTED START']);
      for (const row of rows) expect(row).to.match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    });

    it('--columns with JSON output and --fields with a table are refused, not ignored', async () => {
      for (const argv of [['--json', '--columns', 'id'], ['--fields', 'id']]) {
        const result = await runCli(['flow-run', 'ls', '--db', db, ...argv]);
        expect(result.exitCode, argv.join(' ')).to.equal(2);
      }
    });
  });
}
