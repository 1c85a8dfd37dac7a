import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {expect} from 'chai';

import {removeTempDirs, tempDir} from '../support/databases.js';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

function prefectdb(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {encoding: 'utf8', env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
}

/** What bash offers for `line` (a trailing space starts a new word), from the generated completion function. */
function bashCompletions(script: string, line: string): string[] {
  const program = `source "$1"; read -ra COMP_WORDS <<< "$2"; [[ "$2" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); COMP_LINE="$2"; _prefectdb_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['-c', program, 'bash', script, line], {encoding: 'utf8'});
  expect(result.status, result.stderr).to.equal(0);
  return [...new Set(result.stdout.split('\n').filter(Boolean))];
}

describe('shell completion (@oclif/plugin-autocomplete)', function () {
  this.timeout(120_000);
  let cache: string;

  before(() => {
    cache = tempDir();
    const created = prefectdb(['autocomplete:create'], {XDG_CACHE_HOME: cache});
    expect(created.status, created.stderr).to.equal(0);
  });
  after(removeTempDirs);

  const functions = () => path.join(cache, 'prefectdb', 'autocomplete', 'functions');

  it('bash completes a topic, a command of a topic and a flag of a command', () => {
    const script = path.join(functions(), 'bash', 'prefectdb.bash');
    expect(bashCompletions(script, 'prefectdb flow-r')).to.deep.equal(['flow-run']);
    expect(bashCompletions(script, 'prefectdb flow-run ')).to.include.members(['inspect', 'logs', 'ls']);
    expect(bashCompletions(script, 'prefectdb flow-run ls --lim')).to.deep.equal(['--limit']);
    expect(bashCompletions(script, 'prefectdb flow-run ls --no-h')).to.deep.equal(['--no-header']);
  });

  it('zsh gets a completion function per topic listing its commands and their flags', () => {
    const script = readFileSync(path.join(functions(), 'zsh', '_prefectdb'), 'utf8');
    expect(script.startsWith('#compdef prefectdb')).to.equal(true);
    const flowRun = script.slice(script.indexOf('_prefectdb_flow-run() {'));
    expect(flowRun).to.match(/"ls\[List flow runs/);
    expect(flowRun.slice(0, flowRun.indexOf('\n}\n'))).to.include('--limit').and.include('--columns');
  });

  it('`autocomplete bash` and `autocomplete zsh` print setup instructions', () => {
    for (const shell of ['bash', 'zsh']) {
      const result = prefectdb(['autocomplete', shell], {XDG_CACHE_HOME: cache});
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout).to.include(`prefectdb autocomplete script ${shell}`);
    }
  });
});

describe('a mistyped command (did you mean)', function () {
  this.timeout(60_000);

  it('suggests the closest command on one line and exits 127', () => {
    for (const [typed, meant] of [
      [['flw-run', 'ls'], 'flow-run ls'],
      [['flow-run', 'lss'], 'flow-run ls'],
      [['work-pol', 'inspect', 'x'], 'work-pool inspect'],
    ] as const) {
      const result = prefectdb([...typed]);
      expect(result.status).to.equal(127);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.include(`Did you mean "prefectdb ${meant}"?`);
      expect(result.stderr.trim().split('\n')).to.have.length(1);
    }
  });

  it('suggests nothing for a word far from every command', () => {
    const result = prefectdb(['zzzzzzzzzzzz']);
    expect(result.status).to.equal(127);
    expect(result.stderr).not.to.include('Did you mean');
  });
});
