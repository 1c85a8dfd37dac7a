import {spawnSync} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {Config} from '@oclif/core';
import {expect} from 'chai';

import {userMessage} from '../../src/cli/error-message.js';
import {runCli, type CliResult} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs, tempDir, withDatabaseName} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

/**
 * A generated corpus of bad input (issue 9) over every prefectdb command, read from the oclif
 * manifest so commands added later are covered without touching this file. Each case must end
 * with a documented exit code, print at most a usage block on stderr (no stack, SQL or driver
 * internals, no long echo of the value), print nothing on stdout but data or, under --json,
 * the JSON error object, and leave the database exactly as it was.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'run.js');
const HUGE = 'a'.repeat(100_000);
const HUGE_NUMBER = '99999999999999999999';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** Values for strings: ids, names, filters, times, JSON, URLs. */
const STRING_VALUES = [
  '', '   ', '\t', 'a\u0007b', 'x\u0000y', '\u001b[31mred', '😀🚀', '\u202egnp.exe', "'; drop table flow_run; --", '" or 1=1 --',
  '%', '_', '%_%', '\\', '${HOME}', '../../../etc/passwd', HUGE, '{"a": 1}', '{"a": ', '[1, 2', 'null', 'http://', 'postgresql://',
  'NaN', '-1', HUGE_NUMBER, '1e309', `${HUGE_NUMBER}d`,
];
/** Values for numbers. */
const NUMBER_VALUES = [HUGE_NUMBER, '-1', '-99999999999999999999', '0', '1e3', '1.5', 'NaN', 'Infinity', '', ' ', '0x10', '2147483648', '+5', '１２'];
const FLAG_VALUES = [...NUMBER_VALUES, ...STRING_VALUES];
/** Values tried on every flag whatever its kind: the two the issue names. */
const ALWAYS = [HUGE, HUGE_NUMBER];
const PER_FLAG = 5;
const PER_ARG = 8;

// Allowed exit codes for bad input: the README's table minus 1 (an unexpected failure means
// the input got through to somewhere it should not have).
const DOCUMENTED = [0, 2, 3, 4, 5, 6];
// Signs of SQL, driver internals or a stack trace reaching the user.
const INTERNALS = /\bselect\b[\s\S]*\bfrom\b|\binsert into\b|\bdelete from\b|\bupdate\b\s+\S+\s+set\b|SQLITE_|knex|better-sqlite3|node_modules|\n\s+at \S+ \(|datatype mismatch|syntax error at or near/i;

interface ManifestFlag {
  name: string;
  type: 'boolean' | 'option';
  options?: string[];
  multiple?: boolean;
}

interface CommandShape {
  id: string;
  argv: string[];
  args: Array<{name: string; required: boolean}>;
  flags: ManifestFlag[];
  strict: boolean;
  dryRun: boolean;
  creates: boolean;
}

interface Case {
  name: string;
  argv: string[];
  json: boolean;
  /** Under -o jsonl: an error is one JSON line on stdout. */
  jsonLines?: boolean;
  /** A value that must not be echoed beyond a short prefix. */
  echo?: string;
  /** A parse error: exactly one line on stderr, exit 2 (issue 13). */
  oneLine?: boolean;
}

const GLOBAL_FLAGS = new Set(['db', 'output', 'json', 'quiet', 'absolute', 'help']);
const WRITE_SWITCHES = new Set(['yes', 'dry-run', 'allow-unknown-revision']);

async function prefectdbCommands(): Promise<CommandShape[]> {
  const config = await Config.load({root: ROOT, devPlugins: false, userPlugins: false});
  return config.commands
    .filter((command) => command.pluginName === 'prefectdb')
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((command) => ({
      id: command.id,
      argv: command.id.split(':'),
      args: Object.values(command.args ?? {}).map((arg) => ({name: arg.name, required: Boolean(arg.required)})),
      flags: Object.values(command.flags ?? {}) as unknown as ManifestFlag[],
      strict: command.strict !== false,
      dryRun: 'dry-run' in (command.flags ?? {}),
      // db init / db seed exist to create a database: they legitimately write into an empty file.
      creates: command.id === 'db:init' || command.id === 'db:seed',
    }));
}

/** Deterministic picks from a list, different for each flag/argument, so the corpus is the same every run. */
function sample<T>(values: readonly T[], count: number, salt: number): T[] {
  const picked: T[] = [];
  for (let i = 0; i < count; i++) picked.push(values[(salt * 7 + i * 11) % values.length]);
  return [...new Set(picked)];
}

/** Everything a command needs to run apart from the value under test: required args and --dry-run. */
function baseline(command: CommandShape, db: string, except?: number): string[] {
  const args = command.args.flatMap((arg, index) => (index === except || !arg.required ? [] : [MISSING_ID]));
  return [...command.argv, ...args, '--db', db, ...(command.dryRun ? ['--dry-run'] : [])];
}

function corpusFor(command: CommandShape, db: string, salt: number): Case[] {
  const cases: Case[] = [];
  command.args.forEach((arg, index) => {
    for (const value of sample(STRING_VALUES, PER_ARG, salt + index)) {
      const argv = baseline(command, db, index);
      argv.splice(command.argv.length + index, 0, value);
      cases.push({name: `${command.id} ${arg.name}=${label(value)}`, argv, json: false, echo: value});
    }
  });
  command.flags.forEach((flag, index) => {
    if (GLOBAL_FLAGS.has(flag.name) || WRITE_SWITCHES.has(flag.name)) return;
    if (flag.type === 'boolean') {
      cases.push({name: `${command.id} --${flag.name}=junk`, argv: [...baseline(command, db), `--${flag.name}=junk`], json: false});
      return;
    }
    const values = flag.options ? ['', 'not-an-option', HUGE] : [...ALWAYS, ...sample(FLAG_VALUES, PER_FLAG, salt + index)];
    for (const value of new Set(values)) {
      cases.push({name: `${command.id} --${flag.name}=${label(value)}`, argv: [...baseline(command, db), `--${flag.name}=${value}`], json: false, echo: value});
    }
  });
  // The global flags, once per command: a bad format, a huge value, and a bad value under --json.
  cases.push(
    {name: `${command.id} -o ${label(HUGE)}`, argv: [...baseline(command, db), '-o', HUGE], json: false, echo: HUGE},
    {name: `${command.id} --unknown-flag`, argv: [...baseline(command, db), '--no-such-flag', '1'], json: false, oneLine: true},
    ...typoCases(command, db),
    ...swallowCases(command, db),
    {name: `${command.id} --json with a bad value`, argv: [...baseline(command, db), ...jsonBadValue(command)], json: true},
    {name: `${command.id} -o jsonl with a bad value`, argv: [...baseline(command, db), '-o', 'jsonl', ...jsonBadValue(command).slice(1)], json: true, jsonLines: true},
  );
  return cases;
}

/** A mistyped flag of the command (its first long flag, last letter dropped): one line, exit 2. */
function typoCases(command: CommandShape, db: string): Case[] {
  const names = command.flags.map((flag) => flag.name);
  const flag = command.flags.find((f) => !GLOBAL_FLAGS.has(f.name) && f.name.length >= 5 && !names.includes(f.name.slice(0, -1)));
  return flag ? [{name: `${command.id} --${flag.name.slice(0, -1)} (typo)`, argv: [...baseline(command, db), `--${flag.name.slice(0, -1)}`, 'x'], json: false, oneLine: true}] : [];
}

/** A multi-value flag followed by a word: the word must not be taken as another value (issue 13). */
function swallowCases(command: CommandShape, db: string): Case[] {
  return command.flags
    .filter((flag) => flag.multiple)
    .map((flag) => ({name: `${command.id} --${flag.name} v NEXT`, argv: [...baseline(command, db), `--${flag.name}`, 'v', 'next-word'], json: false}));
}

/** A bad value for the command under --json: its first own flag, else an extra argument. */
function jsonBadValue(command: CommandShape): string[] {
  const own = command.flags.find((flag) => !GLOBAL_FLAGS.has(flag.name) && !WRITE_SWITCHES.has(flag.name) && flag.type === 'option');
  return own ? ['--json', `--${own.name}=${HUGE_NUMBER}`] : ['--json', 'extra-argument\u0007'];
}

function label(value: string): string {
  const shown = value.length > 12 ? `${value.slice(0, 12)}…(${value.length})` : value;
  return JSON.stringify(shown);
}

function checkOutcome(testCase: Case, run: CliResult): void {
  // What a real process would show: in-process, oclif's parse errors come back unprinted.
  const result = run.unprinted === undefined ? run : {...run, stderr: `${run.stderr}Error: ${run.unprinted}\n`};
  const context = `${testCase.name}\nexit ${result.exitCode}\nstdout: ${result.stdout.slice(0, 400)}\nstderr: ${result.stderr.slice(0, 600)}`;
  expect(DOCUMENTED, context).to.include(result.exitCode);
  expect(result.stderr, context).not.to.match(INTERNALS);
  const lines = result.stderr.split('\n');
  expect(lines.length, context).to.be.at.most(25);
  expect(Math.max(...lines.map((line) => line.length)), context).to.be.at.most(1300);
  if (testCase.echo && testCase.echo.length > 60) expect(result.stderr.includes(testCase.echo.slice(0, 80)), context).to.equal(false);
  if (testCase.oneLine) {
    expect(result.exitCode, context).to.equal(2);
    expect(result.stderr.trimEnd().split('\n'), context).to.have.length(1);
    expect(result.stderr, context).not.to.match(/USAGE|See more help/);
  }
  if (result.exitCode === 0) {
    if (testCase.jsonLines) for (const line of result.stdout.split('\n').filter(Boolean)) JSON.parse(line);
    else if (testCase.json) JSON.parse(result.stdout);
    return;
  }
  if (testCase.jsonLines) expect(result.stdout.trimEnd().split('\n'), `${context}\nis not one JSON line`).to.have.length(1);
  if (testCase.json) {
    const parsed = JSON.parse(result.stdout) as {error?: {code?: string; message?: string}};
    expect(Object.keys(parsed), context).to.deep.equal(['error']);
    expect(parsed.error, context).to.have.keys(['code', 'message']);
  } else {
    expect(result.stdout, context).to.equal('');
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A checksum over every table's rows in a PostgreSQL database. */
async function postgresChecksum(url: string): Promise<string> {
  const database = new URL(url).pathname.slice(1);
  const tables = await adminQueryOn(database, "select tablename from pg_tables where schemaname = 'public' order by tablename");
  const sums: string[] = [];
  for (const {tablename} of tables.rows as Array<{tablename: string}>) {
    const result = await adminQueryOn(database, `select count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as sum from "${tablename}" t`);
    sums.push(`${tablename}=${(result.rows[0] as {sum: string}).sum}`);
  }
  return createHash('sha256').update(sums.join('\n')).digest('hex');
}

async function adminQueryOn(database: string, sql: string) {
  const {default: pg} = await import('pg');
  const client = new pg.Client({connectionString: withDatabaseName(process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', database)});
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function runCase(testCase: Case): Promise<CliResult> {
  const wasTty = process.stdin.isTTY;
  // Never a terminal: a write command must refuse rather than prompt.
  process.stdin.isTTY = false as true;
  try {
    return await runCli(testCase.argv);
  } finally {
    process.stdin.isTTY = wasTty;
  }
}

const commands = await prefectdbCommands();
const FIXTURE = PREFECT_FIXTURES[PREFECT_FIXTURES.length - 1];

for (const dialect of testDialects()) {
  describe(`bad-input corpus over every command [${dialect}]`, function () {
    this.timeout(900_000);
    let db: string;
    let drop: () => Promise<void>;
    let original: string;
    const checksum = () => (dialect === 'sqlite' ? Promise.resolve(sha256(db)) : postgresChecksum(db));

    before(async function () {
      ({url: db, drop} = await fixtureDatabase(this, dialect, FIXTURE));
      original = await checksum();
    });
    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    it('has at least 300 cases and covers every command', () => {
      const total = commands.reduce((sum, command, index) => sum + corpusFor(command, 'x', index).length, 0);
      expect(commands.length).to.be.greaterThan(15);
      expect(total).to.be.at.least(300);
    });

    commands.forEach((command, index) => {
      it(`${command.id}: every bad flag and argument value is refused cleanly, the database untouched`, async () => {
        for (const testCase of corpusFor(command, db, index)) {
          checkOutcome(testCase, await runCase(testCase));
          if (dialect === 'sqlite') expect(sha256(db), `${testCase.name} changed the database`).to.equal(original);
        }
      });
    });

    it('leaves the database exactly as it was', async () => {
      expect(await checksum()).to.equal(original);
    });
  });
}

describe('bad-input corpus: database files, URLs and stdin', function () {
  this.timeout(600_000);
  let dir: string;
  let files: Record<string, string>;

  before(() => {
    dir = tempDir();
    files = {
      'random bytes': path.join(dir, 'random.db'),
      'empty file': path.join(dir, 'empty.db'),
      'text file': path.join(dir, 'text.db'),
      directory: path.join(dir, 'a-directory'),
    };
    writeFileSync(files['random bytes'], randomBytes(8192));
    writeFileSync(files['empty file'], '');
    writeFileSync(files['text file'], 'SQLite format 3\u0000 but not really\n'.repeat(50));
    mkdirSync(files.directory);
  });
  after(removeTempDirs);

  const badTargets = () => ({
    ...files,
    'missing file': path.join(dir, 'missing', 'x.db'),
    'empty URL': 'postgresql://',
    'closed port': 'postgresql://nobody@127.0.0.1:1/none',
    'http URL': 'http://example.invalid/prefect.db',
    'mysql URL': 'mysql://root@localhost/prefect',
    'sqlite URL without path': 'sqlite:///',
    'URL with control characters': 'postgresql://a\u0007b@127.0.0.1/x',
  });

  it('every command refuses a database that is not one, or not there, with exit 5 or 2 and the file unchanged', async () => {
    const targets = badTargets();
    let cases = 0;
    for (const command of commands) {
      for (const [what, target] of Object.entries(targets)) {
        if (command.creates && (what === 'empty file' || what === 'missing file')) continue;
        const hashBefore = what in files && what !== 'directory' ? sha256(target) : undefined;
        const testCase: Case = {name: `${command.id} --db <${what}>`, argv: baseline(command, target), json: false};
        const result = await runCase(testCase);
        checkOutcome(testCase, result);
        // An empty file is an empty database: db status may describe it (and writes nothing);
        // db upgrade/downgrade refuse it as not Prefect's (exit 4, issue 12).
        const migrates = command.id === 'db:upgrade' || command.id === 'db:downgrade';
        const expected = what !== 'empty file' ? [2, 5] : command.id === 'db:status' ? [0] : migrates ? [2, 4] : [2, 5];
        expect(result.exitCode, testCase.name).to.be.oneOf(expected);
        if (hashBefore) expect(sha256(target), `${testCase.name} changed the file`).to.equal(hashBefore);
        cases++;
      }
    }
    expect(cases).to.be.greaterThan(100);
  });

  it('junk on stdin for commands that read ids from "-" gives exit 2 or 3, nothing on stdout', () => {
    const db = path.join(tempDir(), FIXTURE);
    writeFileSync(db, readFileSync(path.join(ROOT, 'test', 'fixtures', 'prefect-dbs', FIXTURE)));
    const hash = sha256(db);
    const readers = commands.filter((command) => !command.strict && command.args.length > 0);
    expect(readers.map((c) => c.id)).to.include('flow-run:inspect');
    for (const command of readers) {
      for (const stdin of [randomBytes(4096), Buffer.from("'; drop table flow_run; --\n%\n_\n"), Buffer.from(`${HUGE}\n`), Buffer.from('\n\n\n'), Buffer.from('{"id": 1}\n')]) {
        const result = spawnSync(process.execPath, [BIN, ...command.argv, '-', '--db', db], {input: stdin, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
        const testCase: Case = {name: `${command.id} - <stdin ${stdin.subarray(0, 8).toString('hex')}>`, argv: [], json: false, echo: HUGE};
        checkOutcome(testCase, {stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? 1});
        // Blank input holds no ids: an empty selection, which is success with one line (like `xargs -r`).
        // (set-state first needs the new state; schedule-runs takes deployment names, not ids from stdin.)
        if (stdin.toString().trim() === '' && !command.id.endsWith(':set-state') && command.id !== 'deployment:schedule-runs') {
          expect(result.status, testCase.name).to.equal(0);
          expect(result.stdout, testCase.name).to.equal('');
          expect(result.stderr, testCase.name).to.match(/^0 (flow|task) runs selected; nothing to do\n$/);
        } else {
          expect(result.status, testCase.name).to.be.oneOf([2, 3]);
        }
        if (result.status === 0) expect(result.stdout, testCase.name).to.equal('');
      }
    }
    expect(sha256(db)).to.equal(hash);
  });
});

/** The real binary, as a shell runs it: oclif prints its own parse errors only there. */
function prefectdbProcess(argv: string[]): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...argv], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? 1};
}

describe('bad input: the cases the issue names', function () {
  this.timeout(60_000);
  let db: string;
  before(() => {
    db = path.join(tempDir(), FIXTURE);
    writeFileSync(db, readFileSync(path.join(ROOT, 'test', 'fixtures', 'prefect-dbs', FIXTURE)));
  });
  after(removeTempDirs);

  it('--limit 99999999999999999999 is a usage error (exit 2) naming the limit, no SQL', () => {
    const result = prefectdbProcess(['flow-run', 'ls', '--db', db, '--limit', HUGE_NUMBER]);
    expect(result.exitCode).to.equal(2);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.include('--limit').and.not.match(INTERNALS);
  });

  it('a 100 kB flag value is echoed as a short prefix only, by oclif and by prefectdb', () => {
    for (const argv of [['-o', HUGE], ['--sort', HUGE], ['--since', HUGE], ['--limit', HUGE]]) {
      const result = prefectdbProcess(['flow-run', 'ls', '--db', db, ...argv]);
      expect(result.exitCode, argv[0]).to.equal(2);
      expect(result.stderr.length, argv[0]).to.be.below(600);
      expect(result.stderr, argv[0]).to.include('aaaaaaaaaa');
    }
  });

  it('an unexpected failure names its kind only, never its SQL; the details need DEBUG=1', () => {
    const driverError = Object.assign(new Error('select * from "flow_run" limit 1e+20 - SQLITE_MISMATCH: datatype mismatch'), {code: 'SQLITE_MISMATCH'});
    const message = userMessage(driverError, []);
    expect(message).to.equal('unexpected failure (SQLITE_MISMATCH); run again with DEBUG=1 for the details');
    expect(userMessage(new TypeError('x is undefined at select'), [])).to.equal('unexpected failure (TypeError); run again with DEBUG=1 for the details');
  });
});

/**
 * Issue 13: JSON numbers. Malformed numbers in every JSON-taking flag are bad input (exit 2,
 * one line, nothing written); numbers of any size are not, and come back with their digits.
 * Failures under --json still print their one line on stderr.
 */
const MALFORMED_NUMBERS = ['01', '1.', '.5', '1e', '--1', '0x10', '+1', '1e+', 'NaN'];

for (const dialect of testDialects()) {
  describe(`bad input: JSON numbers and --json failures [${dialect}]`, function () {
    this.timeout(300_000);
    let db: string;
    let drop: () => Promise<void>;
    const checksum = () => (dialect === 'sqlite' ? Promise.resolve(sha256(db)) : postgresChecksum(db));

    before(async function () {
      ({url: db, drop} = await fixtureDatabase(this, dialect, FIXTURE));
    });
    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    it('a malformed number in any JSON flag is refused with exit 2 and one line, the database untouched', async () => {
      const run = '019a6f97-46f3-794a-ab84-113353b2e75c';
      const original = await checksum();
      for (const bad of MALFORMED_NUMBERS) {
        const cases: string[][] = [
          ['flow-run', 'set-state', run, '--state-type', 'COMPLETED', '--force', '--data', `{"n": ${bad}}`],
          ['flow-run', 'set-state', run, '--state-type', 'COMPLETED', '--force', '--details', `{"n": ${bad}}`],
          ['block', 'create', 'secret/n', '--data', `{"value": ${bad}}`],
          ['deployment', 'run', '3f07fd3d-27ef-4c74-a2df-430a2b347266', '--params', `{"n": ${bad}}`],
        ];
        for (const argv of cases) {
          for (const json of [false, true]) {
            const testCase: Case = {name: `${argv.join(' ')}${json ? ' --json' : ''}`, argv: [...argv, '--db', db, ...(json ? ['--json'] : [])], json};
            const result = await runCase(testCase);
            checkOutcome(testCase, result);
            expect(result.exitCode, testCase.name).to.equal(2);
            expect(result.stderr.split('\n').filter((line) => line.startsWith('Error: ')), testCase.name).to.have.length(1);
          }
        }
      }
      expect(await checksum()).to.equal(original);
    });

    it('numbers past every JS limit are not bad input: written and read back with all their digits', async () => {
      const huge = '123456789012345678901234567890123456789';
      const set = await runCase({name: 'variable set', argv: ['variable', 'set', 'huge-number', `{"n": ${huge}, "f": 1.0}`, '--db', db], json: false});
      expect(set.exitCode, set.stderr).to.equal(0);
      const read = await runCase({name: 'variable inspect', argv: ['variable', 'inspect', 'huge-number', '--db', db, '-o', 'jsonl'], json: true});
      // (jsonb may list the keys in its own order)
      expect(read.stdout).to.include(`"n":${huge}`).and.include('"f":1.0');
    });
  });
}

describe('bad input: the cases issue 13 names', function () {
  this.timeout(300_000);
  let db: string;
  let hash: string;
  before(() => {
    db = path.join(tempDir(), FIXTURE);
    writeFileSync(db, readFileSync(path.join(ROOT, 'test', 'fixtures', 'prefect-dbs', FIXTURE)));
    hash = sha256(db);
  });
  after(removeTempDirs);

  /** [argv, stdin, exit code, what stderr must say]: each must also pass the corpus's general checks. */
  const cases = (): Array<[string[], string, number, RegExp]> => [
    [['flow-run', 'ls', '--state-typ', 'FAILED'], '', 2, /^Error: unknown flag --state-typ: did you mean --state-type\? \(.*--help lists the flags\)\n$/],
    [['flow-run', 'ls', '--limit', 'abc'], '', 2, /^Error: --limit: expected an integer but received: abc .*\n$/],
    [['flow-run', 'inspect'], '', 2, /^Error: missing argument ID: .*\n$/],
    [['flow-run', 'cancel', '--state-type', 'SCHEDULED', '019a6f9a', '--yes'], '', 2, /^Error: give flow run ids or filters, not both\n$/],
    [['flow-run', 'ls', '--sort', 'start_time', '--limit', '2', '-q'], '', 0, /^2 of 8 flow runs; --limit N or --all for more\n$/],
    [['flow-run', 'ls', '--sort', 'no_such_field'], '', 2, /^Error: unknown sort field "no_such_field": use one of expected_start, start, end, created, name/],
    [['flow-run', 'ls', '-o', 'csv', '--columns', 'flow,duration', '--limit', '1'], '', 0, /^1 of 8 flow runs/],
    [['flow-run', 'cancel', '-', '--yes'], '', 0, /^0 flow runs selected; nothing to do\n$/],
    [['flow-run', 'delete', '-', '--yes'], '\n \n', 0, /^0 flow runs selected; nothing to do\n$/],
    [['task-run', 'delete', '--state-type', 'CRASHED', '--yes'], '', 0, /^0 task runs selected; nothing to do\n$/],
    [['flow-run', 'retry', '--flow-name', 'no-such-flow', '--yes'], '', 0, /^0 flow runs selected; nothing to do\n$/],
    [['flow-rn', 'delete', '--all', '--yes'], '', 127, /^Error: "flow-rn delete" is not a prefectdb command\. Did you mean "prefectdb flow-run delete"\?/],
  ];

  it('each gives its documented exit code and one clear stderr, the database untouched', () => {
    for (const [argv, stdin, exitCode, stderr] of cases()) {
      const result = spawnSync(process.execPath, [BIN, ...argv, '--db', db], {input: stdin, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
      const context = `${argv.join(' ')}\nexit ${result.status}\n${result.stderr}`;
      expect(result.status, context).to.equal(exitCode);
      expect(result.stderr, context).to.match(stderr);
      expect(result.stderr, context).not.to.match(INTERNALS);
      if (exitCode !== 0) expect(result.stdout, context).to.equal('');
    }
    expect(sha256(db)).to.equal(hash);
  });

  it('writes to a database in a read-only folder exit 5 with one line; reads work and create no file', function () {
    const folder = path.dirname(db);
    const wrap = ['unshare', '--mount', 'sh', '-c', 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"', folder];
    const probe = spawnSync(wrap[0], [...wrap.slice(1), 'sh', '-c', `! touch "${folder}/probe" 2>/dev/null`], {stdio: 'ignore'});
    if (probe.status !== 0) {
      if (process.env.CI === 'true') throw new Error('cannot mount a folder read-only (unshare --mount); CI requires it');
      console.error('\n!!! SKIPPING read-only folder corpus cases: unshare --mount does not work here !!!\n');
      this.skip();
    }
    const run = (argv: string[]) => spawnSync(wrap[0], [...wrap.slice(1), process.execPath, BIN, ...argv, '--db', db], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
    for (const argv of [['flow-run', 'cancel', '--all', '--yes'], ['db', 'clean', '--older-than', '1d', '--yes'], ['db', 'doctor', '--fix', '--yes'], ['variable', 'set', 'x', '1']]) {
      const result = run(argv);
      expect(result.status, `${argv.join(' ')}\n${result.stderr}`).to.equal(5);
      const errors = result.stderr.trimEnd().split('\n').filter((line) => line.startsWith('Error:'));
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/^Error: cannot write to \/tmp\/\S+: the file is read-only \(read-only file system\)$/);
    }
    const read = run(['flow-run', 'ls', '-q']);
    expect(read.status, read.stderr).to.equal(0);
    expect(readdirSync(folder)).to.deep.equal([FIXTURE]);
    expect(sha256(db)).to.equal(hash);
  });
});
