import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {chmodSync, copyFileSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {Config} from '@oclif/core';
import {expect} from 'chai';

import {adminQuery, FIXTURE_DIR, removeTempDirs, tempDir, withDatabaseName} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {loadFixtureIntoPostgres} from '../support/postgres-fixtures.js';

/**
 * Issue 13 item 2: an operator who may read Prefect's database but not write it. SQLite: the
 * folder is made read-only by a read-only bind mount in a private mount namespace (tests run
 * as root, and root ignores file modes), and a mode-444 file is read by an unprivileged user.
 * PostgreSQL: a SELECT-only role, and a role whose sessions are read-only.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'run.js');
const FIXTURE = 'prefect-3.x-9e83011d1f2a.db';
const RUN_ID = '019a6f9a-cae8-7955-ac82-38e55ed253bf';
const INTERNALS = /SQLITE_|knex|better-sqlite3|permission denied for|read-only transaction|\n\s+at /i;

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const environment = {...process.env, NO_COLOR: '1', HOME: '/tmp'};

function prefectdb(argv: string[], wrap: string[] = []): Run {
  const command = [...wrap, process.execPath, BIN, ...argv];
  const result = spawnSync(command[0], command.slice(1), {encoding: 'utf8', env: environment, stdio: ['ignore', 'pipe', 'pipe']});
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? 1};
}

/** Runs the CLI where `folder` is a read-only mount: writes there fail with EROFS, even for root. */
const readOnlyFolder = (folder: string) => ['unshare', '--mount', 'sh', '-c', 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"', folder];
const unprivileged = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];

/** Whether `wrap` really stops writes here; without it the SQLite half cannot run. */
function wrapperWorks(wrap: string[], folder: string): boolean {
  const result = spawnSync(wrap[0], [...wrap.slice(1), 'sh', '-c', `touch "${folder}/probe" 2>/dev/null; test -e "${folder}/probe" && exit 1; cat "${folder}/prefect.db" >/dev/null`], {stdio: 'ignore'});
  rmSync(path.join(folder, 'probe'), {force: true});
  return result.status === 0;
}

function skipLoudly(context: Mocha.Context, what: string): void {
  const message = `cannot ${what} on this machine`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI requires the read-only access tests`);
  console.error(`\n!!! SKIPPING read-only access tests: ${message} !!!\n`);
  context.skip();
}

/** Output with the values that follow the clock (seconds until a run's start) left out. */
const timeless = (json: string) => json.replace(/"estimated_start_time_delta": [^,\n]+/g, '');

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A WAL-mode copy of the fixture with no side files, alone in its own folder. */
function walDatabase(): {folder: string; file: string} {
  const folder = tempDir();
  chmodSync(folder, 0o755);
  const file = path.join(folder, 'prefect.db');
  copyFileSync(path.join(FIXTURE_DIR, FIXTURE), file);
  expect(readFileSync(file)[19], 'the fixture is in WAL mode').to.equal(2);
  return {folder, file};
}

/** Leaves a committed change in the WAL, as a Prefect server killed before its checkpoint would. */
function commitIntoWal(file: string, name: string): void {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.prepare('update flow_run set name = ? where id = ?').run(${JSON.stringify(name)}, ${JSON.stringify(RUN_ID)});
    process.exit(0);`;
  const result = spawnSync(process.execPath, ['-e', script], {cwd: ROOT, encoding: 'utf8'});
  expect(result.status, result.stderr).to.equal(0);
}

interface CommandShape {
  id: string;
  writes: boolean;
  requiredArgs: number;
}

async function commandShapes(): Promise<CommandShape[]> {
  const config = await Config.load({root: ROOT, devPlugins: false, userPlugins: false});
  return config.commands
    .filter((command) => command.pluginName === 'prefectdb')
    .map((command) => ({
      id: command.id,
      writes: 'yes' in (command.flags ?? {}) || ['db:init', 'db:seed', 'db:copy'].includes(command.id),
      requiredArgs: Object.values(command.args ?? {}).filter((arg) => arg.required).length,
    }));
}

const commands = await commandShapes();
/** One way to call each read command on the fixture. */
const READS: string[][] = [
  ...commands.filter((c) => !c.writes && c.requiredArgs === 0).map((c) => c.id.split(':')),
  ['flow-run', 'inspect', RUN_ID],
  ['flow-run', 'logs', RUN_ID],
  ['db', 'status', '--sizes'],
];
/** Write commands with arguments that would succeed on a writable copy. */
const WRITES: string[][] = [
  ['flow-run', 'cancel', RUN_ID, '--yes'],
  ['flow-run', 'set-state', RUN_ID, '--state-type', 'FAILED', '--yes'],
  ['flow-run', 'delete', '--all', '--yes'],
  ['flow-run', 'mark-late', '--yes'],
  ['task-run', 'delete', '--all', '--yes'],
  ['db', 'clean', '--older-than', '1d', '--yes'],
  ['db', 'doctor', '--fix', '--yes'],
  ['variable', 'set', 'ro_probe', '1'],
  ['work-pool', 'create', 'ro-probe', '--type', 'process'],
  ['global-concurrency-limit', 'create', 'ro-probe', '--limit', '1'],
  ['flow-run', 'cancel', RUN_ID, '--dry-run'],
];

describe('read-only access: SQLite in a folder that cannot be written', function () {
  this.timeout(300_000);
  let db: {folder: string; file: string};
  let wrap: string[];

  before(function () {
    db = walDatabase();
    wrap = readOnlyFolder(db.folder);
    if (!wrapperWorks(wrap, db.folder)) skipLoudly(this, 'mount a folder read-only (unshare --mount)');
  });
  after(removeTempDirs);

  it('every read command works and creates no file; output is what a writable copy gives', () => {
    const writable = walDatabase();
    for (const argv of READS) {
      const result = prefectdb([...argv, '--db', db.file, '-o', 'json'], wrap);
      const context = `${argv.join(' ')}\nexit ${result.exitCode}\n${result.stderr}`;
      expect(result.exitCode, context).to.be.oneOf([0, 6]);
      expect(result.stderr, context).not.to.match(INTERNALS);
      expect(readdirSync(db.folder), context).to.deep.equal(['prefect.db']);
      if (argv[0] === 'db') continue; // status names the file; doctor may weigh the WAL
      const reference = prefectdb([...argv, '--db', writable.file, '-o', 'json']);
      expect(timeless(result.stdout), context).to.equal(timeless(reference.stdout));
    }
  });

  it('db status says it is not writable and why', () => {
    const result = prefectdb(['db', 'status', '--db', db.file, '--json'], wrap);
    const status = JSON.parse(result.stdout) as {readable: boolean; writable: boolean; unwritable_reason: string};
    expect(status.readable).to.equal(true);
    expect(status.writable).to.equal(false);
    expect(status.unwritable_reason).to.match(/read-only \(read-only file system\)/);
  });

  it('every write exits 5 with one line naming the cause, and changes nothing', () => {
    const before = sha256(db.file);
    for (const argv of WRITES) {
      const result = prefectdb([...argv, '--db', db.file], wrap);
      const context = `${argv.join(' ')}\nexit ${result.exitCode}\n${result.stderr}`;
      expect(result.exitCode, context).to.equal(5);
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('Error:'));
      expect(errors, context).to.have.length(1);
      expect(errors[0], context).to.match(/cannot write to .*read-only/);
      expect(result.stderr, context).not.to.match(INTERNALS);
      expect(result.stdout, context).to.equal('');
    }
    // Every other write command too, whatever its arguments: refused before anything is read.
    for (const command of commands.filter((c) => c.writes && c.id !== 'db:copy' && c.id !== 'db:doctor')) {
      const args = Array.from({length: command.requiredArgs}, () => RUN_ID);
      const result = prefectdb([...command.id.split(':'), ...args, '--db', db.file, '--yes'], wrap);
      expect(result.exitCode, `${command.id}\n${result.stderr}`).to.be.oneOf([2, 5]);
    }
    expect(sha256(db.file)).to.equal(before);
    expect(readdirSync(db.folder)).to.deep.equal(['prefect.db']);
  });

  it('db copy into a read-only folder, and db init there, exit 5 and create nothing', () => {
    const source = walDatabase();
    for (const argv of [['db', 'copy', source.file, path.join(db.folder, 'copy.db'), '--yes'], ['db', 'init', '--db', path.join(db.folder, 'new.db')]]) {
      const result = prefectdb(argv, wrap);
      expect(result.exitCode, `${argv.join(' ')}\n${result.stderr}`).to.equal(5);
      expect(result.stderr).to.match(/folder .* is read-only/);
    }
    expect(readdirSync(db.folder)).to.deep.equal(['prefect.db']);
  });

  it('a WAL that cannot be read there is ignored, and stderr says so', () => {
    const withWal = walDatabase();
    commitIntoWal(withWal.file, 'only-in-the-wal');
    rmSync(`${withWal.file}-shm`);
    const result = prefectdb(['flow-run', 'inspect', RUN_ID, '--db', withWal.file, '--json'], readOnlyFolder(withWal.folder));
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stderr).to.match(/^Warning: .*prefect\.db-wal cannot be read .* bytes of changes not yet in the main file are ignored$/m);
    expect((JSON.parse(result.stdout) as {name: string}).name).not.to.equal('only-in-the-wal');
    expect(readdirSync(withWal.folder).sort()).to.deep.equal(['prefect.db', 'prefect.db-wal']);
  });

  it('a WAL whose side files are there is read, with no warning and no new file', () => {
    const withWal = walDatabase();
    commitIntoWal(withWal.file, 'only-in-the-wal');
    const result = prefectdb(['flow-run', 'inspect', RUN_ID, '--db', withWal.file, '--json'], readOnlyFolder(withWal.folder));
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stderr).to.equal('');
    expect((JSON.parse(result.stdout) as {name: string}).name).to.equal('only-in-the-wal');
  });
});

describe('read-only access: SQLite reads leave no file behind', function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it('in a writable folder, reads of a WAL database leave no -wal or -shm', () => {
    const db = walDatabase();
    for (const argv of READS.slice(0, 8)) {
      const result = prefectdb([...argv, '--db', db.file]);
      expect(result.exitCode, `${argv.join(' ')}\n${result.stderr}`).to.be.oneOf([0, 6]);
      expect(readdirSync(db.folder), argv.join(' ')).to.deep.equal(['prefect.db']);
    }
  });

  it('a mode-444 file read by an unprivileged user: reads work, status says why it is not writable, writes exit 5', function () {
    const db = walDatabase();
    chmodSync(db.file, 0o444);
    if (!wrapperWorks(unprivileged, db.folder)) skipLoudly(this, 'run as an unprivileged user (setpriv)');
    const hash = sha256(db.file);
    const read = prefectdb(['flow-run', 'ls', '--db', db.file, '-q'], unprivileged);
    expect(read.exitCode, read.stderr).to.equal(0);
    expect(read.stdout).to.include(RUN_ID);
    const status = JSON.parse(prefectdb(['db', 'status', '--db', db.file, '--json'], unprivileged).stdout) as {writable: boolean; unwritable_reason: string};
    expect(status).to.include({writable: false});
    expect(status.unwritable_reason).to.include('mode 0444');
    const write = prefectdb(['flow-run', 'cancel', RUN_ID, '--yes', '--db', db.file], unprivileged);
    expect(write.exitCode, write.stderr).to.equal(5);
    expect(write.stderr).to.match(/^Error: cannot write to .*: the file is read-only \(mode 0444\)$/m);
    expect(sha256(db.file)).to.equal(hash);
    expect(readdirSync(db.folder)).to.deep.equal(['prefect.db']);
  });
});

if (testDialects().includes('postgres')) {
  describe('read-only access: PostgreSQL roles that may not write', function () {
    this.timeout(300_000);
    const reader = `prefectdb_reader_${process.pid}`;
    const readOnlySession = `prefectdb_ro_session_${process.pid}`;
    let url: string;
    let name: string;
    let drop: () => Promise<void>;
    let emptyTarget: string;

    const as = (role: string, database = name) => {
      const parsed = new URL(withDatabaseName(url, database));
      parsed.username = role;
      parsed.password = '';
      return parsed.toString();
    };
    before(async function () {
      await requirePostgres(this);
      ({url, drop} = await loadFixtureIntoPostgres(FIXTURE));
      name = new URL(url).pathname.slice(1);
      emptyTarget = `${name}_empty`;
      await adminQuery(`drop role if exists ${reader}`);
      await adminQuery(`drop role if exists ${readOnlySession}`);
      await adminQuery(`create role ${reader} login`);
      await adminQuery(`create role ${readOnlySession} login`);
      await adminQuery(`alter role ${readOnlySession} set default_transaction_read_only = on`);
      await adminQuery(`create database "${emptyTarget}"`);
      for (const database of [name, emptyTarget]) {
        const grants = [
          `grant usage on schema public to ${reader}, ${readOnlySession}`,
          `grant select on all tables in schema public to ${reader}`,
          `grant all on all tables in schema public to ${readOnlySession}`,
          `revoke create on schema public from public`,
        ];
        const {default: pg} = await import('pg');
        const client = new pg.Client({connectionString: withDatabaseName(url, database)});
        await client.connect();
        for (const grant of grants) await client.query(grant);
        await client.end();
      }
    });

    after(async () => {
      await drop?.();
      await adminQuery(`drop database if exists "${emptyTarget}" with (force)`).catch(() => undefined);
      await adminQuery(`drop role if exists ${reader}`);
      await adminQuery(`drop role if exists ${readOnlySession}`);
    });

    async function snapshot(): Promise<string> {
      const {default: pg} = await import('pg');
      const client = new pg.Client({connectionString: url});
      await client.connect();
      try {
        const tables = ['flow_run', 'flow_run_state', 'task_run', 'variable', 'work_pool', 'log', 'concurrency_limit_v2'];
        const sums: string[] = [];
        for (const table of tables) {
          const {rows} = await client.query(`select count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as sum from "${table}" t`);
          sums.push(`${table}=${(rows[0] as {sum: string}).sum}`);
        }
        return sums.join('\n');
      } finally {
        await client.end();
      }
    }

    it('a SELECT-only role reads everything; db status says it is not writable and why', () => {
      const read = prefectdb(['flow-run', 'ls', '--db', as(reader), '-q', '--all']);
      expect(read.exitCode, read.stderr).to.equal(0);
      expect(read.stdout).to.include(RUN_ID);
      const status = JSON.parse(prefectdb(['db', 'status', '--db', as(reader), '--json']).stdout) as {writable: boolean; unwritable_reason: string};
      expect(status.writable).to.equal(false);
      expect(status.unwritable_reason).to.include(`the role ${reader} may not insert, update or delete`);
      const owner = JSON.parse(prefectdb(['db', 'status', '--db', url, '--json']).stdout) as {writable: boolean; unwritable_reason: string | null};
      expect(owner).to.include({writable: true, unwritable_reason: null});
    });

    it('every write by a SELECT-only role or in a read-only session exits 5 with one line, nothing changed', async () => {
      const before = await snapshot();
      for (const [role, cause] of [[reader, /may not insert, update or delete/], [readOnlySession, /session is read-only/]] as const) {
        const status = JSON.parse(prefectdb(['db', 'status', '--db', as(role), '--json']).stdout) as {writable: boolean; unwritable_reason: string};
        expect(status.writable, role).to.equal(false);
        expect(status.unwritable_reason, role).to.match(cause);
        for (const argv of WRITES) {
          const result = prefectdb([...argv, '--db', as(role)]);
          const context = `${role}: ${argv.join(' ')}\nexit ${result.exitCode}\n${result.stderr}`;
          expect(result.exitCode, context).to.equal(5);
          const errors = result.stderr.split('\n').filter((line) => line.startsWith('Error:'));
          expect(errors, context).to.have.length(1);
          expect(errors[0], context).to.match(cause);
          expect(result.stderr, context).not.to.match(INTERNALS);
        }
      }
      expect(await snapshot()).to.equal(before);
    });

    it('db copy into a database the role may not create tables in exits 5', () => {
      const source = walDatabase();
      const result = prefectdb(['db', 'copy', source.file, as(reader, emptyTarget), '--yes']);
      expect(result.exitCode, result.stderr).to.equal(5);
      expect(result.stderr).to.match(/may not create tables/);
    });
  });
}
