import {spawnSync} from 'node:child_process';
import {readdirSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

import {expect} from 'chai';

import type {StaleFile} from '../support/command-docs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('command reference (docs/commands/, README command block)', function () {
  this.timeout(120_000);

  it('is what `npm run docs` generates from the commands as they are now', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/command-docs.ts'], {cwd: ROOT, encoding: 'utf8', env: {...process.env, OCLIF_COLUMNS: ''}});
    expect(result.status, result.stderr).to.equal(0);
    // The generator logs progress on stdout; the verdict is the last line.
    const stale = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as StaleFile[];
    expect(stale, `the command reference is stale (${stale.map((s) => `${s.file}: ${s.reason}`).join(', ')}): run \`npm run docs\` and commit README.md and docs/commands/`).to.deep.equal([]);
  });

  it('has a page for every topic and nothing else', () => {
    const pages = readdirSync(`${ROOT}docs/commands`).sort();
    expect(pages).to.include.members(['db.md', 'flow-run.md', 'task-run.md', 'autocomplete.md']);
    expect(pages.every((page) => page.endsWith('.md'))).to.equal(true);
  });
});
