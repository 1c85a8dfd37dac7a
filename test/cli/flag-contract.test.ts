import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {Config} from '@oclif/core';
import {expect} from 'chai';

import {onlyReads} from '../../src/hooks/command-not-found.js';
import {removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

/**
 * Issue 13 item 4: flags that behave like a good CLI's. One-line parse errors with a
 * did-you-mean, multi-value flags that never swallow the next word, one column vocabulary for
 * --columns, --fields and --sort in every format, and no write run from a guessed command.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'run.js');
const FIXTURE = 'prefect-3.x-9e83011d1f2a.db';
const RUN_ID = '019a6f9a-cae8-7955-ac82-38e55ed253bf';

function prefectdb(argv: string[]): {stdout: string; stderr: string; exitCode: number} {
  const result = spawnSync(process.execPath, [BIN, ...argv], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? 1};
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `keys` once the prompt had time to appear. */
function onTerminal(argv: string[], keys: string): {output: string; exitCode: number} {
  const command = [process.execPath, BIN, ...argv].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  const result = spawnSync('sh', ['-c', `(sleep 2; printf '${keys}') | script -qec "${command.replaceAll('"', '\\"')}" /dev/null`], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {output: result.stdout + result.stderr, exitCode: result.status ?? 1};
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const config = await Config.load({root: ROOT, devPlugins: false, userPlugins: false});
const ours = config.commands.filter((command) => command.pluginName === 'prefectdb');

function oneErrorLine(result: {stdout: string; stderr: string; exitCode: number}, context: string): string {
  expect(result.exitCode, `${context}\n${result.stderr}`).to.equal(2);
  expect(result.stdout, context).to.equal('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, `${context}\n${result.stderr}`).to.have.length(1);
  expect(lines[0], context).to.match(/^Error: /);
  expect(lines[0], context).not.to.match(/See more help|USAGE|›/);
  return lines[0];
}

describe('flags: parse errors and mistyped flags', function () {
  this.timeout(300_000);

  it('a mistyped flag of any command gets one line naming the closest flag, exit 2', () => {
    let checked = 0;
    for (const command of ours) {
      const names = Object.keys(command.flags ?? {});
      // The last letter dropped, where that is not another flag's name.
      const own = Object.values(command.flags ?? {}).filter((flag) => flag.name.length >= 6 && !['absolute', 'output'].includes(flag.name) && !names.includes(flag.name.slice(0, -1)));
      if (own.length === 0) continue;
      const flag = own[0];
      const typo = `--${flag.name.slice(0, -1)}`;
      const args = Object.values(command.args ?? {}).filter((arg) => arg.required).map(() => '1');
      const line = oneErrorLine(prefectdb([...command.id.split(':'), ...args, typo, 'x']), `${command.id} ${typo}`);
      expect(line).to.include(`unknown flag ${typo}: did you mean --${flag.name}?`);
      expect(line).to.match(new RegExp(`\\(prefectdb ${command.id.split(':')[0]} [a-z -]+ --help lists the flags\\)$`));
      checked++;
    }
    expect(checked).to.be.greaterThan(30);
    const line = oneErrorLine(prefectdb(['flow-run', 'ls', '--state-typ', 'FAILED']), 'the issue example');
    expect(line).to.equal('Error: unknown flag --state-typ: did you mean --state-type? (prefectdb flow-run ls --help lists the flags)');
  });

  it("oclif's own parse errors are one line in the same style", () => {
    const cases: Array<[string[], RegExp]> = [
      [['flow-run', 'ls', '--limit', 'abc'], /^Error: --limit: expected an integer but received: abc \(prefectdb flow-run ls --help shows the usage\)$/],
      [['flow-run', 'ls', '-o', 'xml'], /^Error: expected --output=xml to be one of: table, json, jsonl, csv/],
      [['flow-run', 'inspect'], /^Error: missing argument ID: flow run id/],
      [['work-pool', 'set-concurrency-limit'], /^Error: missing arguments POOL, LIMIT/],
      [['flow-run', 'ls', '--all', '--limit', '3'], /^Error: --limit=3 cannot also be provided when using --all/],
      [['flow-run', 'ls', '--limit'], /^Error: flag --limit expects a value/],
      [['flow-run', 'ls', '--no-such-flag'], /^Error: unknown flag --no-such-flag \(prefectdb flow-run ls --help lists the flags\)$/],
    ];
    for (const [argv, expected] of cases) expect(oneErrorLine(prefectdb(argv), argv.join(' '))).to.match(expected);
    const json = prefectdb(['flow-run', 'ls', '--json', '--state-typ', 'X']);
    expect(json.exitCode).to.equal(2);
    expect(JSON.parse(json.stdout)).to.deep.equal({error: {code: 'USAGE', message: 'unknown flag --state-typ: did you mean --state-type? (prefectdb flow-run ls --help lists the flags)'}});
  });

  it('every flag taking several values takes one value per occurrence (never the next word)', async () => {
    let multiple = 0;
    for (const command of ours) {
      const loaded = await command.load();
      for (const [name, flag] of Object.entries(loaded.flags ?? {}) as Array<[string, {multiple?: boolean; multipleNonGreedy?: boolean; delimiter?: string}]>) {
        if (!flag.multiple) continue;
        multiple++;
        expect(flag.multipleNonGreedy, `${command.id} --${name}`).to.equal(true);
        // key=JSON values contain commas; every other list flag takes a comma list.
        if (!['param', 'job-variable'].includes(name)) expect(flag.delimiter, `${command.id} --${name}`).to.equal(',');
      }
    }
    expect(multiple).to.be.greaterThan(15);
  });

  it('the did-you-mean of a mistyped command runs only reads, and only on an explicit y', () => {
    expect(onlyReads('flow-run:delete', ['--yes'])).to.equal(false);
    expect(onlyReads('flow-run:cancel', [])).to.equal(false);
    expect(onlyReads('db:doctor', ['--fix'])).to.equal(false);
    expect(onlyReads('flow-run:ls', [])).to.equal(true);
    expect(onlyReads('db:status', [])).to.equal(true);
  });
});

for (const dialect of testDialects()) {
  describe(`flags: one column vocabulary, words never swallowed [${dialect}]`, function () {
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

    it('a multi-value flag does not eat the argument after it (the issue examples)', () => {
      const schedules = prefectdb(['deployment', 'schedule', 'ls', '--columns', 'id,schedule', 'ingestion_flow/daily_btc_ingestion_flow', '--db', url, '-o', 'csv']);
      expect(schedules.exitCode, schedules.stderr).to.equal(0);
      expect(schedules.stdout.split('\n')[0]).to.equal('id,schedule');
      // The id is an id, not a second state type: refused as ids-with-filters, not as an unknown state type.
      const cancel = prefectdb(['flow-run', 'cancel', '--state-type', 'SCHEDULED', RUN_ID.slice(0, 8), '--db', url, '--dry-run']);
      expect(cancel.exitCode).to.equal(2);
      expect(cancel.stderr).to.include('give flow run ids or filters, not both');
      const both = prefectdb(['flow-run', 'ls', '--state-type', 'SCHEDULED,COMPLETED', '--tag', 'a,b', '--db', url, '-q']);
      expect(both.exitCode, both.stderr).to.equal(0);
    });

    it('table names work with --columns and --fields in every format, and --sort takes them and the JSON keys', () => {
      const csv = prefectdb(['flow-run', 'ls', '--db', url, '-o', 'csv', '--columns', 'id,flow,start,duration,expected_start']);
      expect(csv.exitCode, csv.stderr).to.equal(0);
      expect(csv.stdout.split('\n')[0]).to.equal('id,flow_name,start_time,estimated_run_time,expected_start_time');
      const full = JSON.parse(prefectdb(['flow-run', 'ls', '--db', url, '--json']).stdout) as Array<Record<string, unknown>>;
      const fields = JSON.parse(prefectdb(['flow-run', 'ls', '--db', url, '--json', '--fields', 'flow,start,duration']).stdout) as Array<Record<string, unknown>>;
      expect(fields).to.deep.equal(full.map((run) => ({flow_name: run.flow_name, start_time: run.start_time, estimated_run_time: run.estimated_run_time})));
      const table = prefectdb(['flow-run', 'ls', '--db', url, '--columns', 'name,start_time,flow_name']);
      expect(table.stdout.split('\n')[0].trim().split(/\s{2,}/)).to.deep.equal(['NAME', 'START', 'FLOW']);
      for (const [a, b] of [['start', 'start_time'], ['expected_start', 'expected_start_time'], ['end:asc', 'end_time:asc'], ['expected-start', 'expected_start']]) {
        const left = prefectdb(['flow-run', 'ls', '--db', url, '-q', '--sort', a]);
        const right = prefectdb(['flow-run', 'ls', '--db', url, '-q', '--sort', b]);
        expect(left.exitCode, left.stderr).to.equal(0);
        expect(right.exitCode, `${b}: ${right.stderr}`).to.equal(0);
        expect(right.stdout, b).to.equal(left.stdout);
      }
      const task = prefectdb(['task-run', 'ls', '--db', url, '-q', '--sort', 'start_time']);
      expect(task.exitCode, task.stderr).to.equal(0);
      const bad = oneErrorLine(prefectdb(['flow-run', 'ls', '--db', url, '--sort', 'nope']), '--sort nope');
      expect(bad).to.include('expected_start, start, end, created, name');
    });

    it("every list's --help names each of its table columns", () => {
      for (const command of ours.filter((c) => 'columns' in (c.flags ?? {}) && Object.values(c.args ?? {}).every((arg) => !arg.required))) {
        const argv = command.id.split(':');
        const table = prefectdb([...argv, '--db', url, '--limit', '1']);
        if (table.stdout === '') continue;
        const headings = table.stdout.split('\n')[0].trim().split(/\s{2,}/).map((h) => h.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, ''));
        const help = (command.flags.columns as {description?: string}).description ?? '';
        for (const heading of headings) expect(help, `${command.id}: ${heading}`).to.match(new RegExp(`\\b${heading}\\b`));
        // Each named column works in CSV too.
        const csv = prefectdb([...argv, '--db', url, '--limit', '1', '-o', 'csv', '--columns', headings.join(',')]);
        expect(csv.exitCode, `${command.id}: ${csv.stderr}`).to.equal(0);
      }
    });

    it('on a terminal, a mistyped write command is suggested only: a bare Enter (or y) runs nothing', function () {
      if (dialect !== 'sqlite') this.skip(); // the terminal behaviour does not depend on the dialect
      if (spawnSync('script', ['--version']).status !== 0) {
        if (process.env.CI === 'true') throw new Error('util-linux script is needed for the terminal tests');
        console.error('\n!!! SKIPPING terminal did-you-mean tests: no util-linux `script` !!!\n');
        this.skip();
      }
      const hash = sha256(url);
      for (const keys of ['\\n', 'y\\n']) {
        const result = onTerminal(['flow-rn', 'delete', '--all', '--yes', '--db', url], keys);
        expect(result.exitCode, result.output).to.equal(127);
        expect(result.output).to.include('Did you mean "prefectdb flow-run delete"?');
        expect(result.output).not.to.include('[y/N]');
      }
      expect(sha256(url)).to.equal(hash);
      const declined = onTerminal(['flw-run', 'ls', '--db', url, '-q'], '\\n');
      expect(declined.exitCode, declined.output).to.equal(127);
      expect(declined.output).to.include('[y/N]').and.not.include(RUN_ID);
      const accepted = onTerminal(['flw-run', 'ls', '--db', url, '-q'], 'y\\n');
      expect(accepted.exitCode, accepted.output).to.equal(0);
      expect(accepted.output).to.include(RUN_ID);
    });
  });
}
