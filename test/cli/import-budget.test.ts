import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

import {expect} from 'chai';

import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The files a real prefectdb process loads for `argv`, as paths. */
function loadedFiles(argv: string[]): string[] {
  const result = spawnSync(process.execPath, ['--import', './bench/loaded-packages.mjs', 'bin/run.js', ...argv], {cwd: ROOT, encoding: 'utf8'});
  expect(result.status, result.stderr.split('\n').filter((l) => !l.startsWith('loaded: ')).join('\n')).to.equal(0);
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded: '))
    .map((line) => line.slice('loaded: '.length).replace(/^file:\/\//, ''));
}

/**
 * The packages a real prefectdb process loads for `argv` (issue 9's import budget): those
 * loaded from node_modules, plus those inside the bundled chunks it loaded (dist/chunks/inputs.json).
 */
function loadedPackages(argv: string[]): Set<string> {
  const inputs = JSON.parse(readFileSync(`${ROOT}dist/chunks/inputs.json`, 'utf8')) as Record<string, string[]>;
  const packages = new Set<string>();
  const add = (file: string) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    if (match) packages.add(match[1]);
  };
  for (const file of loadedFiles(argv)) {
    add(file);
    const bundled = file.startsWith(`${ROOT}dist/`) ? inputs[file.slice(`${ROOT}dist/`.length)] : undefined;
    for (const input of bundled ?? []) add(input);
  }
  return packages;
}

const FORMAT_LIBRARIES = ['cli-table3', 'luxon', 'csv-stringify'];
const SCHEDULE_LIBRARIES = ['croner', 'rrule', 'cronstrue'];

describe('import budget: a command loads only what it needs', function () {
  this.timeout(120_000);
  const fixture = PREFECT_FIXTURES[PREFECT_FIXTURES.length - 1];
  let sqlite: string;

  before(async function () {
    ({url: sqlite} = await fixtureDatabase(this, 'sqlite', fixture));
  });
  after(removeTempDirs);

  it('--version loads no database or output library', () => {
    const loaded = loadedPackages(['--version']);
    for (const name of ['knex', 'better-sqlite3', 'pg', ...FORMAT_LIBRARIES, ...SCHEDULE_LIBRARIES]) expect(loaded, name).not.to.include(name);
  });

  it('flow-run ls -o json on SQLite: better-sqlite3 and Knex, no pg, no renderer, no scheduling library', () => {
    const loaded = loadedPackages(['flow-run', 'ls', '--db', sqlite, '-o', 'json']);
    expect(loaded).to.include('better-sqlite3').and.include('knex');
    for (const name of ['pg', ...FORMAT_LIBRARIES, ...SCHEDULE_LIBRARIES]) expect(loaded, name).not.to.include(name);
  });

  it('each output format loads its own renderer only', () => {
    const csv = loadedPackages(['flow-run', 'ls', '--db', sqlite, '-o', 'csv']);
    expect(csv).to.include('csv-stringify');
    expect(csv).not.to.include('cli-table3');
    const table = loadedPackages(['flow-run', 'ls', '--db', sqlite]);
    expect(table).to.include('cli-table3').and.include('luxon');
    expect(table).not.to.include('csv-stringify');
  });

  it('a command loads @oclif/core as the one bundled file, no module from node_modules/@oclif (issue 14)', () => {
    const files = loadedFiles(['flow-run', 'ls', '--db', sqlite, '-o', 'json']);
    expect(files).to.include(`${ROOT}dist/oclif-core.js`);
    expect(files.filter((file) => file.includes('node_modules/@oclif/'))).to.deep.equal([]);
  });

  it('scheduling libraries load for schedule commands only', () => {
    const loaded = loadedPackages(['deployment', 'ls', '--db', sqlite, '-o', 'json']);
    for (const name of SCHEDULE_LIBRARIES) expect(loaded, name).not.to.include(name);
  });

  for (const dialect of testDialects().filter((d) => d === 'postgres')) {
    it(`flow-run ls -o json on PostgreSQL: pg, not better-sqlite3 [${dialect}]`, async function () {
      const {url, drop} = await fixtureDatabase(this, dialect, fixture);
      try {
        const loaded = loadedPackages(['flow-run', 'ls', '--db', url, '-o', 'json']);
        expect(loaded).to.include('pg');
        expect(loaded).not.to.include('better-sqlite3');
      } finally {
        await drop();
      }
    });
  }
});
