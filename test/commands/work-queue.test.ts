import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {parseJson, runCli} from '../support/cli.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {loadFixtureIntoPostgres} from '../support/postgres-fixtures.js';

const QUEUE_KEYS = [
  'id', 'created', 'updated', 'name', 'description', 'is_paused', 'concurrency_limit', 'priority', 'work_pool_id',
  'work_pool_name', 'last_polled', 'status', 'filter', 'flow_run_counts',
];

type Json = Record<string, unknown>;
type QueueJson = Json & {id: string; name: string; work_pool_name: string; flow_run_counts: Record<string, number>};

const isoFromSqlite = (text: string | null) => (text === null ? null : text.replace(' ', 'T') + 'Z');
const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sqliteTime = (millisAgo: number) => new Date(Date.now() - millisAgo).toISOString().replace('T', ' ').replace('Z', '000');

async function jsonOf<T>(args: string[]): Promise<T> {
  const result = await runCli([...args, '--json']);
  expect(result.exitCode, result.stderr).to.equal(0);
  return parseJson<T>(result);
}

/** Queues as plain SQL sees them, in `work-queue ls` order, with their run counts. */
function readQueues(path: string): Json[] {
  const sqlite = new Database(path, {readonly: true});
  try {
    const queues = sqlite
      .prepare(
        `select q.*, p.name as pool_name from work_queue q join work_pool p on p.id = q.work_pool_id
          order by p.name, q.priority, q.name, q.id`,
      )
      .all() as Json[];
    const count = sqlite.prepare(`select count(*) as n from flow_run where work_queue_id = ? and state_type = ? and (? is null or (state_name = 'Late') = ?)`);
    const n = (id: unknown, type: string, late: number | null) => (count.get(id, type, late, late) as {n: number}).n;
    return queues.map((q) => ({
      id: q.id,
      name: q.name,
      work_pool_name: q.pool_name,
      work_pool_id: q.work_pool_id,
      priority: q.priority,
      is_paused: q.is_paused === 1,
      concurrency_limit: q.concurrency_limit,
      created: isoFromSqlite(q.created as string),
      last_polled: isoFromSqlite(q.last_polled as string | null),
      flow_run_counts: {scheduled: n(q.id, 'SCHEDULED', 0), late: n(q.id, 'SCHEDULED', 1), pending: n(q.id, 'PENDING', null), running: n(q.id, 'RUNNING', null)},
    }));
  } finally {
    sqlite.close();
  }
}

const POOL_ID = 'a0000000-0000-4000-8000-000000000002';
const QUEUE = {
  high: 'b0000000-0000-4000-8000-00000000000a',
  default: 'b0000000-0000-4000-8000-00000000000b',
  low: 'b0000000-0000-4000-8000-00000000000c',
};

/**
 * A second pool with three queues (the first polled 5 s ago, the last paused) and runs in
 * the first queue in each triage state; "default" now exists in two pools.
 */
function addQueuesAndRuns(path: string): void {
  const sqlite = new Database(path);
  try {
    const created = sqliteTime(86_400_000);
    sqlite.pragma('foreign_keys = OFF');
    sqlite
      .prepare(
        `insert into work_pool (id, created, updated, name, type, base_job_template, is_paused, default_queue_id, status, storage_configuration)
         values (?, ?, ?, 'docker-pool', 'docker', '{}', 0, ?, 'NOT_READY', '{}')`,
      )
      .run(POOL_ID, created, created, QUEUE.default);
    const insertQueue = sqlite.prepare(
      `insert into work_queue (id, created, updated, name, description, is_paused, concurrency_limit, last_polled, priority, work_pool_id, status)
       values (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)`,
    );
    insertQueue.run(QUEUE.high, created, created, 'high', 0, 3, sqliteTime(5_000), 1, POOL_ID, 'READY');
    insertQueue.run(QUEUE.default, created, created, 'default', 0, null, sqliteTime(120_000), 2, POOL_ID, 'READY');
    insertQueue.run(QUEUE.low, created, created, 'low', 1, null, null, 3, POOL_ID, 'PAUSED');
    const flowId = (sqlite.prepare('select id from flow order by name').get() as {id: string}).id;
    const insertRun = sqlite.prepare(
      `insert into flow_run (id, created, updated, name, flow_id, state_type, state_name, work_queue_id, work_queue_name)
       values (?, ?, ?, ?, ?, ?, ?, ?, 'high')`,
    );
    const states = [['SCHEDULED', 'Scheduled'], ['SCHEDULED', 'Scheduled'], ['SCHEDULED', 'Late'], ['PENDING', 'Pending'], ['RUNNING', 'Running'], ['COMPLETED', 'Completed']];
    states.forEach(([type, name], i) => insertRun.run(`f0000000-0000-4000-8000-00000000000${i}`, created, created, `run-${i}`, flowId, type, name, QUEUE.high));
  } finally {
    sqlite.close();
  }
}

function withDialects(name: string, sqlitePath: () => string, body: (db: () => string, dialect: string) => void): void {
  for (const dialect of testDialects()) {
    describe(`${name} (${dialect})`, () => {
      let db: string;
      let drop: (() => Promise<void>) | undefined;
      before(async function () {
        if (dialect === 'postgres') {
          await requirePostgres(this);
          ({url: db, drop} = await loadFixtureIntoPostgres(sqlitePath()));
        } else {
          db = sqlitePath();
        }
      });
      after(async () => drop?.());
      body(() => db, dialect);
    });
  }
}

for (const fixture of PREFECT_FIXTURES) {
  describe(`work-queue commands on ${fixture}`, () => {
    let sqlitePath: string;
    let expected: Json[];
    const sqliteOutput: unknown[] = [];

    before(() => {
      sqlitePath = copyFixture(fixture);
      expected = readQueues(sqlitePath);
    });
    after(removeTempDirs);

    withDialects('queues', () => sqlitePath, (db, dialect) => {
      it('work-queue ls --json matches plain SQL, run counts included', async () => {
        const before = dialect === 'sqlite' ? fileHash(sqlitePath) : '';
        const queues = await jsonOf<QueueJson[]>(['work-queue', 'ls', '--db', db(), '--all']);
        for (const queue of queues) expect(Object.keys(queue)).to.deep.equal(QUEUE_KEYS);
        expect(queues.map((q) => Object.fromEntries(Object.keys(expected[0] ?? {}).map((key) => [key, q[key]])))).to.deep.equal(expected);
        // No fixture's queue was polled in the last minute.
        for (const queue of queues) expect(queue.status).to.equal(queue.is_paused ? 'PAUSED' : 'NOT_READY');
        if (dialect === 'sqlite') expect(fileHash(sqlitePath), 'a read changed the database file').to.equal(before);
      });

      it('work-queue inspect by POOL/QUEUE, by name and by id prefix gives the same record; --pool filters', async () => {
        for (const queue of expected) {
          const byPath = await jsonOf<QueueJson>(['work-queue', 'inspect', `${queue.work_pool_name}/${queue.name}`, '--db', db()]);
          expect(await jsonOf(['work-queue', 'inspect', String(queue.id).slice(0, 8), '--db', db()])).to.deep.equal(byPath);
          expect(await jsonOf(['work-queue', 'inspect', String(queue.name), '--db', db()])).to.deep.equal(byPath);
          const inPool = await jsonOf<QueueJson[]>(['work-queue', 'ls', '--pool', String(queue.work_pool_name), '--db', db()]);
          expect(inPool.map((q) => q.id)).to.include(queue.id);
          const quiet = await runCli(['work-queue', 'inspect', String(queue.id), '--db', db(), '-q']);
          expect(quiet.stdout).to.equal(`${queue.id}\n`);
        }
      });

      it('PostgreSQL output equals SQLite output', async function () {
        const outputs = [await jsonOf(['work-queue', 'ls', '--db', db(), '--all'])];
        for (const queue of expected) outputs.push(await jsonOf(['work-queue', 'inspect', String(queue.id), '--db', db()]));
        if (dialect === 'sqlite') sqliteOutput.push(...outputs);
        else if (sqliteOutput.length > 0) expect(outputs).to.deep.equal(sqliteOutput);
        else this.skip();
      });

      it('unknown pool or queue → exit 3; an invalid id → exit 2', async () => {
        const pool = await runCli(['work-queue', 'ls', '--pool', 'no-such-pool', '--db', db()]);
        expect(pool.exitCode).to.equal(3);
        expect(pool.stderr).to.equal('Error: no work pool named "no-such-pool"\n');
        const queue = await runCli(['work-queue', 'inspect', 'no-pool/no-queue', '--db', db()]);
        expect(queue.exitCode).to.equal(3);
        expect(queue.stderr).to.equal('Error: no work queue "no-queue" in work pool "no-pool"\n');
        const id = await runCli(['work-queue', 'inspect', 'ffffffff-ffff-ffff-ffff-ffffffffffff-0', '--db', db()]);
        expect(id.exitCode).to.equal(2);
        expect(id.stderr).to.match(/^Error: invalid work queue id/);
      });
    });
  });
}

describe('work-queue commands with several queues and runs in every triage state added', () => {
  let sqlitePath: string;
  before(() => {
    sqlitePath = copyFixture(PREFECT_FIXTURES.find((name) => name.includes('9e83011d1f2a'))!);
    addQueuesAndRuns(sqlitePath);
  });
  after(removeTempDirs);

  withDialects('docker-pool', () => sqlitePath, (db) => {
    it('lists a pool’s queues by priority with status from pause and polling, and counts runs by triage state', async () => {
      const queues = await jsonOf<QueueJson[]>(['work-queue', 'ls', '--pool', 'docker-pool', '--db', db()]);
      expect(queues.map((q) => [q.name, q.priority, q.status, q.concurrency_limit])).to.deep.equal([
        ['high', 1, 'READY', 3],
        ['default', 2, 'NOT_READY', null],
        ['low', 3, 'PAUSED', null],
      ]);
      expect(queues[0].flow_run_counts).to.deep.equal({scheduled: 2, late: 1, pending: 1, running: 1});
      const pool = await jsonOf<Json & {work_queues: QueueJson[]}>(['work-pool', 'inspect', 'docker-pool', '--db', db()]);
      expect(pool.work_queues).to.deep.equal(queues);
    });

    it('a queue name found in two pools asks for POOL/QUEUE (exit 2)', async () => {
      const ambiguous = await runCli(['work-queue', 'inspect', 'default', '--db', db()]);
      expect(ambiguous.exitCode).to.equal(2);
      expect(ambiguous.stderr).to.equal(
        'Error: work queue name "default" is in several pools: give one of bit-scope_local_pool/default, docker-pool/default\n',
      );
      const high = await jsonOf<QueueJson>(['work-queue', 'inspect', 'high', '--db', db()]);
      expect(high.id).to.equal(QUEUE.high);
    });
  });
});
