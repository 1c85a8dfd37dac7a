import {expect} from 'chai';
import Database from 'better-sqlite3';
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {parseJson, runCli} from '../support/cli.js';
import {createPostgresDatabase, removeTempDirs, tempDir} from '../support/databases.js';
import {sqliteIndexes} from '../support/copy-databases.js';
import {requirePostgres} from '../support/dialects.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SQLITE_TRIALS = 20;
const POSTGRES_TRIALS = 5;

interface CopyJson {
  tables: Record<string, {source: number; copied: number; skipped: number}>;
  verified: boolean;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Runs the built CLI as a child process and kills it with SIGKILL after `killAfterMs` (if still running). */
function copyKilledAfter(args: string[], killAfterMs: number): Promise<{killed: boolean; ms: number}> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/run.js'), 'db', 'copy', ...args], {stdio: 'ignore'});
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => {
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({killed: signal === 'SIGKILL', ms: Date.now() - started});
    });
  });
}

/** A deterministic sequence in [0, 1) so a failing trial can be replayed. */
function* randomSequence(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    yield state / 2 ** 31;
  }
}

function expectConsistentSqlite(file: string): void {
  const db = new Database(file);
  try {
    expect(db.pragma('integrity_check', {simple: true}), 'integrity_check').to.equal('ok');
    expect(db.pragma('foreign_key_check'), 'foreign_key_check').to.deep.equal([]);
  } finally {
    db.close();
  }
}

async function resumeToCompletion(source: string, target: string): Promise<void> {
  const result = await runCli(['db', 'copy', source, target, '--resume', '--verify', '--json']);
  expect(result.exitCode, result.stdout + result.stderr).to.equal(0);
  const report = parseJson<CopyJson>(result);
  expect(report.verified).to.equal(true);
  for (const [table, counts] of Object.entries(report.tables)) expect(counts.copied + counts.skipped, table).to.equal(counts.source);
}

describe('db copy survives kill -9 at random moments', function () {
  this.timeout(900_000);
  let source: string;
  let sourceHash: string;
  let fullCopyMs: number;
  let sourceIndexes: ReturnType<typeof sqliteIndexes>;

  before(async () => {
    source = path.join(tempDir(), 'source.db');
    const seed = await runCli(['db', 'seed', '--db', source, '--flow-runs', '3000', '--seed', '11', '--task-runs-per-flow-run', '1', '--logs-per-run', '1']);
    expect(seed.exitCode, seed.stderr).to.equal(0);
    // Fold the WAL into the file, so the file alone is the source's whole content.
    const db = new Database(source);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    db.close();
    sourceHash = sha256(source);
    sourceIndexes = sqliteIndexes(source);
    const timing = await copyKilledAfter([source, path.join(tempDir(), 'timing.db')], 600_000);
    expect(timing.killed).to.equal(false);
    fullCopyMs = timing.ms;
  });
  after(removeTempDirs);

  it(`SQLite target: ${SQLITE_TRIALS} kills; the source never changes, the target stays consistent, --resume finishes`, async () => {
    const random = randomSequence(20_261_202);
    let interruptedMidCopy = 0;
    for (let trial = 0; trial < SQLITE_TRIALS; trial++) {
      const target = path.join(tempDir(), `target-${trial}.db`);
      const killAfter = Math.round(random.next().value! * fullCopyMs);
      const {killed} = await copyKilledAfter([source, target], killAfter);
      expect(sha256(source), `trial ${trial}: source unchanged`).to.equal(sourceHash);
      if (existsSync(target)) {
        expectConsistentSqlite(target);
        if (killed) interruptedMidCopy += 1;
      }
      await resumeToCompletion(source, target);
      expectConsistentSqlite(target);
      expect(sqliteIndexes(target), `trial ${trial}: every index rebuilt`).to.deep.equal(sourceIndexes);
      expect(sha256(source), `trial ${trial}: source unchanged after resume`).to.equal(sourceHash);
    }
    // Enough kills must land while the target was being written for the test to mean something.
    expect(interruptedMidCopy).to.be.at.least(SQLITE_TRIALS / 4);
  });

  it(`PostgreSQL target: ${POSTGRES_TRIALS} kills; --resume finishes`, async function () {
    await requirePostgres(this);
    const random = randomSequence(7);
    for (let trial = 0; trial < POSTGRES_TRIALS; trial++) {
      const database = await createPostgresDatabase('kill');
      try {
        await copyKilledAfter([source, database.url], Math.round(random.next().value! * fullCopyMs * 1.5));
        expect(sha256(source)).to.equal(sourceHash);
        await resumeToCompletion(source, database.url);
      } finally {
        await database.drop();
      }
    }
  });
});
