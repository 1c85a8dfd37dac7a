import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

import {expect} from 'chai';

import {runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

/**
 * Issue 13 §5: every --dry-run prints what the real run leaves, with the same counts. Each
 * write command runs twice on the same database, first with --dry-run (which must write
 * nothing), then for real; both outputs must be equal once the ids the two runs made up and
 * the clock are set aside. The steps build on each other (create, change, delete).
 */

const FIXTURE = PREFECT_FIXTURES.find((name) => name.includes('9e83011d1f2a'))!;
const DEPLOYMENT = 'ingestion_flow/daily_btc_ingestion_flow';
const SCHEDULE_ID = 'eebc0f7e-d5eb-49c2-af58-2348d029e7c7';
const COMPLETED_RUN = '78676d70-b7df-4e49-b00a-e3b52d050793';
// A run of the other deployment: pausing this one's schedule deletes its future runs.
const SCHEDULED_RUN = '019a6f9a-cae8-7a3e-837b-c201685c0d75';

const STEPS: string[][] = [
  ['work-pool', 'create', 'pool-a', '--type', 'process', '--concurrency-limit', '3', '--description', 'd'],
  ['work-pool', 'update', 'pool-a', '--description', 'e'],
  ['work-pool', 'set-concurrency-limit', 'pool-a', '5'],
  ['work-pool', 'clear-concurrency-limit', 'pool-a'],
  ['work-pool', 'pause', 'pool-a'],
  ['work-pool', 'resume', 'pool-a'],
  ['work-queue', 'create', 'q1', '--pool', 'pool-a', '--priority', '1'],
  ['work-queue', 'update', 'pool-a/q1', '--description', 'x'],
  ['work-queue', 'pause', 'pool-a/q1'],
  ['work-queue', 'resume', 'pool-a/q1'],
  ['work-queue', 'set-concurrency-limit', 'pool-a/q1', '2'],
  ['work-queue', 'clear-concurrency-limit', 'pool-a/q1'],
  ['work-queue', 'delete', 'pool-a/q1'],
  ['work-pool', 'delete', 'pool-a'],
  ['concurrency-limit', 'create', 'tag-a', '4'],
  ['concurrency-limit', 'reset', 'tag-a'],
  ['concurrency-limit', 'delete', 'tag-a'],
  ['global-concurrency-limit', 'create', 'gcl', '--limit', '3'],
  ['global-concurrency-limit', 'update', 'gcl', '--limit', '4'],
  ['global-concurrency-limit', 'disable', 'gcl'],
  ['global-concurrency-limit', 'enable', 'gcl'],
  ['global-concurrency-limit', 'reset', 'gcl'],
  ['global-concurrency-limit', 'delete', 'gcl'],
  ['variable', 'set', 'v1', '"x"'],
  ['variable', 'set', 'v1', '"y"', '--overwrite'],
  ['variable', 'unset', 'v1'],
  ['block', 'create', 'secret/s1', '--data', '{"value": "abc"}'],
  ['block', 'update', 'secret/s1', '--data', '{"value": "def"}'],
  ['block', 'delete', 'secret/s1'],
  ['deployment', 'update', DEPLOYMENT, '--description', 'new words'],
  ['deployment', 'schedule', 'add', DEPLOYMENT, '--interval', '3600', '--anchor-date', '2026-01-01T00:00:00Z'],
  ['deployment', 'schedule', 'pause', DEPLOYMENT, SCHEDULE_ID],
  ['deployment', 'schedule', 'resume', DEPLOYMENT, SCHEDULE_ID],
  ['deployment', 'pause', DEPLOYMENT],
  ['deployment', 'resume', DEPLOYMENT],
  ['deployment', 'run', DEPLOYMENT, '--start-at', '2030-01-02T03:04:05Z', '--flow-run-name', 'by-hand'],
  ['deployment', 'schedule-runs', DEPLOYMENT, '--start', '2029-12-01T00:00:00Z', '--end', '2030-01-01T00:00:00Z', '--max-runs', '5'],
  ['flow-run', 'mark-late', '--after', '1s'],
  ['deployment', 'schedule', 'delete', DEPLOYMENT, SCHEDULE_ID],
  ['deployment', 'schedule', 'clear', DEPLOYMENT],
  ['flow-run', 'set-state', SCHEDULED_RUN, '--state-type', 'PENDING'],
  ['flow-run', 'cancel', '--state-type', 'SCHEDULED'],
  ['flow-run', 'retry', COMPLETED_RUN],
  ['task-run', 'delete', '--all'],
  ['flow-run', 'delete', COMPLETED_RUN],
  ['db', 'clean', '--older-than', '1d', '--orphans'],
  ['deployment', 'delete', DEPLOYMENT],
  ['flow', 'delete', 'transform-flow'],
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * The output with what legitimately differs between two runs replaced: ids neither run had
 * before (numbered in order of appearance, so structure still counts) and instants of the
 * last hour (when each run happened). Run names are random for a run made by a state change.
 */
function comparable(value: unknown, known: Set<string>, fresh = new Map<string, string>()): unknown {
  if (typeof value === 'string') {
    if (UUID.test(value) && !known.has(value)) {
      if (!fresh.has(value)) fresh.set(value, `<new ${fresh.size + 1}>`);
      return fresh.get(value);
    }
    if (ISO.test(value) && Math.abs(Date.parse(value) - Date.now()) < 3_600_000) return '<now>';
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => comparable(item, known, fresh));
  if (value && typeof value === 'object') {
    // db clean says which kind of run it was; everything else must match.
    const entries = Object.entries(value).filter(([key]) => key !== 'dry_run');
    return Object.fromEntries(entries.map(([key, item]) => [key, comparable(item, known, fresh)]));
  }
  return value;
}

/** The counts a message on stderr gives, in order (lock hold times left out). */
function countsIn(stderr: string): string[] {
  return stderr.replace(UUID_ANYWHERE, '').replace(/[\d.,]+ ?ms\b/g, '').match(/\d[\d,]*/g) ?? [];
}

function idsIn(text: string): string[] {
  return text.match(UUID_ANYWHERE) ?? [];
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

for (const dialect of testDialects()) {
  describe(`--dry-run prints what the real run leaves [${dialect}]`, function () {
    this.timeout(300_000);
    let db: string;
    let drop: () => Promise<void>;
    const known = new Set<string>();

    before(async function () {
      ({url: db, drop} = await fixtureDatabase(this, dialect, FIXTURE));
    });
    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    for (const step of STEPS) {
      it(step.join(' '), async () => {
        const before = dialect === 'sqlite' ? sha256(db) : '';
        const dry = await runCli([...step, '--db', db, '--json', '--dry-run']);
        // Done, or refused by an orchestration rule (a Scheduled run is cancelled by a rejection): never bad input.
        expect(dry.exitCode, dry.stdout).to.be.oneOf([0, 4]);
        if (dialect === 'sqlite') expect(sha256(db), 'the dry run wrote').to.equal(before);
        const real = await runCli([...step, '--db', db, '--json', '--yes']);
        expect(real.exitCode, real.stderr).to.equal(dry.exitCode);
        expect(real.stdout, real.stderr).not.to.equal('');
        const [dryOut, realOut] = [JSON.parse(dry.stdout) as unknown, JSON.parse(real.stdout) as unknown];
        expect(comparable(dryOut, known)).to.deep.equal(comparable(realOut, known));
        expect(countsIn(dry.stderr), `${dry.stderr}\n${real.stderr}`).to.deep.equal(countsIn(real.stderr));
        for (const id of idsIn(real.stdout)) known.add(id);
      });
    }
  });
}
