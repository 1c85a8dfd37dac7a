import {spawnSync} from 'node:child_process';
import {mkdirSync, readFileSync, symlinkSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {expect} from 'chai';

import {removeTempDirs, tempDir} from '../support/databases.js';

/**
 * Issue 13 §6: every example in the README runs as written. Blocks fenced as `sh demo` run
 * line by line in bash on the demo database the fresh-clone command makes, with `prefectdb`
 * on PATH as `npm link` puts it there (a symlink to bin/run.js); each line must exit 0, or
 * the code its comment names (`# … exit N`). Synopses are fenced as `text`.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Block {
  info: string;
  lines: string[];
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const pattern = /^```([^\n`]*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(pattern)) blocks.push({info: match[1].trim(), lines: match[2].split('\n').filter((line) => line.trim() !== '')});
  return blocks;
}

/** The exit code a line documents in its comment (`# … exit N …`), else 0. */
function expectedExit(line: string): number {
  const match = /#.*\bexit (\d+)\b/.exec(line);
  return match ? Number(match[1]) : 0;
}

interface LineResult {
  line: string;
  exitCode: number;
  stderr: string;
}

/** Runs the lines in one bash session (an `export` carries over), recording each one's exit code. */
function runLines(lines: string[], cwd: string, env: NodeJS.ProcessEnv): LineResult[] {
  const script = lines
    .map((line, index) => `{ ${line.replace(/\s+#[^'"]*$/, '')}\n} >/dev/null 2>"$ERRS/${index}"; echo "$?" >"$ERRS/${index}.rc"`)
    .join('\n');
  const errs = path.join(cwd, '.errs');
  mkdirSync(errs, {recursive: true});
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', script], {cwd, env: {...env, ERRS: errs}, encoding: 'utf8', timeout: 300_000});
  expect(result.error, String(result.error)).to.equal(undefined);
  return lines.map((line, index) => ({
    line,
    exitCode: Number(readFileSync(path.join(errs, `${index}.rc`), 'utf8').trim()),
    stderr: readFileSync(path.join(errs, String(index)), 'utf8'),
  }));
}

describe('README examples run as written on the seeded demo database', function () {
  this.timeout(600_000);
  let work: string;
  let env: NodeJS.ProcessEnv;
  const blocks = fencedBlocks(README);

  before(() => {
    work = tempDir();
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(path.join(ROOT, 'bin', 'run.js'), path.join(bin, 'prefectdb'));
    env = {...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: work, XDG_CACHE_HOME: path.join(work, 'cache'), NO_COLOR: '1'};
    for (const name of ['PREFECTDB_DATABASE_URL', 'PREFECT_SERVER_DATABASE_CONNECTION_URL', 'PREFECT_API_DATABASE_CONNECTION_URL', 'PREFECT_HOME']) delete env[name];
  });
  after(removeTempDirs);

  it('the fresh-clone command makes the demo database (prefectdb in place of ./bin/run.js, npm install already done)', () => {
    const fresh = blocks.find((block) => block.lines.some((line) => line.includes('db seed --db ./demo.db')))!;
    const line = fresh.lines[0].replace(/^npm install && /, '').replaceAll('./bin/run.js', 'prefectdb');
    const [result] = runLines([line], work, env);
    expect(result.exitCode, result.stderr).to.equal(0);
  });

  it('every `sh demo` block runs, each line with its documented exit code', () => {
    const demo = blocks.filter((block) => block.info === 'sh demo');
    expect(demo.length).to.be.at.least(6);
    const failures: string[] = [];
    let lines = 0;
    for (const block of demo) {
      const demoEnv = {...env, PREFECTDB_DATABASE_URL: path.join(work, 'demo.db')};
      for (const result of runLines(block.lines, work, demoEnv)) {
        lines++;
        if (result.exitCode !== expectedExit(result.line)) failures.push(`exit ${result.exitCode} (wanted ${expectedExit(result.line)}): ${result.line}\n  ${result.stderr.trim().split('\n').slice(-2).join('\n  ')}`);
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(lines).to.be.at.least(25);
  });

  it('the completion set-up it shows works once prefectdb is on PATH', () => {
    const setup = blocks.find((block) => block.lines.some((line) => line.includes('autocomplete script bash')))!;
    const results = runLines([...setup.lines, 'complete -p prefectdb'], work, env);
    for (const result of results) expect(result.exitCode, `${result.line}\n${result.stderr}`).to.equal(0);
    const check = spawnSync('bash', ['-c', 'source "$HOME/.bashrc"; complete -p prefectdb'], {cwd: work, env, encoding: 'utf8'});
    expect(check.stdout.trim()).to.equal('complete -F _prefectdb_autocomplete prefectdb');
  });

  it('blocks of prefectdb commands are either run here (`sh demo`) or marked as synopses (`text`) or as needing more than the demo (`sh`)', () => {
    const commandBlocks = blocks.filter((block) => block.lines.some((line) => /(^|\| )prefectdb /.test(line)));
    for (const block of commandBlocks) expect(['sh demo', 'text', 'sh'], block.lines[0]).to.include(block.info);
    // Only the PATH set-up and the PostgreSQL recipe need more than the demo database.
    expect(commandBlocks.filter((block) => block.info === 'sh')).to.have.length.at.most(3);
  });
});
