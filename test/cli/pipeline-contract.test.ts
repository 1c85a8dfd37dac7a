import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {Config} from '@oclif/core';
import {expect} from 'chai';

import {removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';
import {dumpDatabase, expectUnchanged, idsWhere} from '../commands/state-change-support.js';

/**
 * Issue 13 item 3: a pipeline never acts on part of a selection silently. `-q` says when a
 * list was cut, an empty selection is success with one line, and state commands exit by
 * whether the runs ended where the command meant them to.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'run.js');
const FIXTURE = 'prefect-3.x-9e83011d1f2a.db';

function prefectdb(argv: string[], stdin = ''): {stdout: string; stderr: string; exitCode: number} {
  const result = spawnSync(process.execPath, [BIN, ...argv], {input: stdin, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? 1};
}

const config = await Config.load({root: ROOT, devPlugins: false, userPlugins: false});
/** Every list command that cuts at --limit and needs no argument. */
const LISTS = config.commands
  .filter((command) => command.pluginName === 'prefectdb' && 'limit' in (command.flags ?? {}) && !('yes' in (command.flags ?? {})))
  .filter((command) => Object.values(command.args ?? {}).every((arg) => !arg.required))
  .map((command) => command.id.split(':'));

/** Commands that take run ids or filters, with what they need beside the selection. */
const SELECTING: Array<{argv: string[]; noun: string}> = [
  {argv: ['flow-run', 'cancel', '--yes'], noun: 'flow runs'},
  {argv: ['flow-run', 'set-state', '--state-type', 'FAILED', '--yes'], noun: 'flow runs'},
  {argv: ['flow-run', 'retry', '--yes'], noun: 'flow runs'},
  {argv: ['flow-run', 'mark-late', '--yes'], noun: 'flow runs'},
  {argv: ['flow-run', 'delete', '--yes'], noun: 'flow runs'},
  {argv: ['task-run', 'delete', '--yes'], noun: 'task runs'},
  {argv: ['task-run', 'set-state', '--state-type', 'FAILED', '--yes'], noun: 'task runs'},
  {argv: ['flow-run', 'inspect'], noun: 'flow runs'},
  {argv: ['task-run', 'inspect'], noun: 'task runs'},
];

for (const dialect of testDialects()) {
  describe(`pipelines never act on part of a selection silently [${dialect}]`, function () {
    this.timeout(300_000);
    let url: string;
    let drop: () => Promise<void>;

    before(async function () {
      ({url, drop} = await fixtureDatabase(this, dialect, FIXTURE));
    });
    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    it('-q says on stderr that a list was cut, as every other format does', () => {
      expect(LISTS.map((argv) => argv.join(' '))).to.include.members(['flow-run ls', 'task-run ls', 'deployment ls', 'flow ls']);
      for (const argv of LISTS) {
        const quiet = prefectdb([...argv, '--db', url, '--limit', '1', '-q']);
        const json = prefectdb([...argv, '--db', url, '--limit', '1', '-o', 'json']);
        const context = `${argv.join(' ')}\n${quiet.stderr}`;
        expect(quiet.exitCode, context).to.equal(0);
        expect(quiet.stderr, context).to.equal(json.stderr);
      }
      const cut = prefectdb(['flow-run', 'ls', '--db', url, '--limit', '3', '-q']);
      expect(cut.stdout.trim().split('\n')).to.have.length(3);
      expect(cut.stderr).to.equal('3 of 8 flow runs; --limit N or --all for more\n');
    });

    it('an empty selection (empty stdin, a filter matching nothing) is exit 0 with one line, nothing changed', async () => {
      const before = await dumpDatabase(url);
      for (const {argv, noun} of SELECTING) {
        for (const [how, extra, stdin] of [
          ['empty stdin', ['-'], ''],
          ['blank stdin', ['-'], '\n  \n'],
          ...(argv[1] === 'inspect' ? [] : [['a filter matching nothing', argv[0] === 'task-run' ? ['--state', 'NoSuchState', '--all'] : ['--flow-name', 'no-such-flow'], '']]),
        ] as Array<[string, string[], string]>) {
          if (how === 'a filter matching nothing' && argv[1] === 'set-state' && argv[0] === 'task-run') continue; // --state names the new state there
          const result = prefectdb([...argv, ...extra, '--db', url], stdin);
          const context = `${argv.join(' ')} (${how})\nexit ${result.exitCode}\n${result.stderr}`;
          expect(result.exitCode, context).to.equal(0);
          expect(result.stderr, context).to.equal(`0 ${noun} selected; nothing to do\n`);
          expect(result.stdout, context).to.equal('');
        }
      }
      const json = prefectdb(['flow-run', 'cancel', '-', '--db', url, '--json'], '');
      expect(json.exitCode).to.equal(0);
      expect(JSON.parse(json.stdout)).to.deep.equal([]);
      expectUnchanged(before, await dumpDatabase(url));
    });

    it('a cut list piped into cancel is said on stderr; cancel exits 0 when every run ended Cancelling or Cancelled', async () => {
      const list = prefectdb(['flow-run', 'ls', '--db', url, '--state-type', 'SCHEDULED', '--limit', '2', '-q']);
      expect(list.stderr).to.equal('2 of 6 flow runs; --limit N or --all for more\n');
      // Scheduled runs without infrastructure: Prefect's rules reject Cancelling and write Cancelled.
      const cancel = prefectdb(['flow-run', 'cancel', '-', '--db', url, '--yes', '--json'], list.stdout);
      expect(cancel.exitCode, cancel.stderr).to.equal(0);
      const results = JSON.parse(cancel.stdout) as Array<{status: string; state: {type: string}}>;
      expect(results.map((r) => [r.status, r.state.type])).to.deep.equal([['REJECT', 'CANCELLED'], ['REJECT', 'CANCELLED']]);
      expect(cancel.stderr).to.include('2 flow runs: 2 rejected; all ended Cancelling or Cancelled');
      const ids = list.stdout.trim().split('\n');
      expect(await idsWhere(url, 'flow_run', (qb) => qb.whereIn('id', ids).where('state_type', 'CANCELLED'))).to.have.length(2);
    });

    it('set-state exits 4 for a run that did not end in the state proposed, 0 where it did', async () => {
      const [scheduled] = await idsWhere(url, 'flow_run', (qb) => qb.where('state_type', 'SCHEDULED'));
      // The proposal cancel makes, through set-state: rejected to Cancelled, so not what set-state was asked for.
      const rejected = prefectdb(['flow-run', 'set-state', scheduled, '--state-type', 'CANCELLING', '--db', url, '--json']);
      expect(rejected.exitCode, rejected.stderr).to.equal(4);
      expect((JSON.parse(rejected.stdout) as {state: {type: string}}).state.type).to.equal('CANCELLED');
      expect(rejected.stderr).to.include('1 flow run: 1 rejected; 1 did not end Cancelling');
      const forced = prefectdb(['flow-run', 'set-state', scheduled, '--state-type', 'RUNNING', '--force', '--db', url, '--json']);
      expect(forced.exitCode, forced.stderr).to.equal(0);
      expect(forced.stderr).to.include('1 flow run: 1 accepted; all ended Running');
    });
  });
}
