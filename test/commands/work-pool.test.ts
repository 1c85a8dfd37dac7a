import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

import Database from 'better-sqlite3';
import {expect} from 'chai';

import {parseJson, runCli} from '../support/cli.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {loadFixtureIntoPostgres} from '../support/postgres-fixtures.js';

const POOL_KEYS = [
  'id', 'created', 'updated', 'name', 'description', 'type', 'base_job_template', 'is_paused', 'concurrency_limit', 'status',
  'default_queue_id', 'storage_configuration',
];
const WORKER_KEYS = ['id', 'created', 'updated', 'name', 'work_pool_id', 'last_heartbeat_time', 'heartbeat_interval_seconds', 'status'];

type Json = Record<string, unknown>;
type PoolJson = Json & {id: string; name: string; work_queues: Json[]; workers: Json[]};

const isoFromSqlite = (text: string | null) => (text === null ? null : text.replace(' ', 'T') + 'Z');
const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sqliteTime = (millisAgo: number) => new Date(Date.now() - millisAgo).toISOString().replace('T', ' ').replace('Z', '000');

async function jsonOf<T>(args: string[]): Promise<T> {
  const result = await runCli([...args, '--json']);
  expect(result.exitCode, result.stderr).to.equal(0);
  return parseJson<T>(result);
}

/** Pools as plain SQL sees them, in `work-pool ls` order (by name). */
function readPools(path: string): Json[] {
  const sqlite = new Database(path, {readonly: true});
  try {
    const pools = sqlite.prepare('select * from work_pool order by name, id').all() as Json[];
    return pools.map((pool) => ({
      id: pool.id,
      name: pool.name,
      type: pool.type,
      created: isoFromSqlite(pool.created as string),
      is_paused: pool.is_paused === 1,
      concurrency_limit: pool.concurrency_limit,
      default_queue_id: pool.default_queue_id,
      base_job_template: JSON.parse(pool.base_job_template as string),
      work_queue_count: (sqlite.prepare('select count(*) as n from work_queue where work_pool_id = ?').get(pool.id) as {n: number}).n,
      worker_ids: (sqlite.prepare('select id from worker where work_pool_id = ? order by last_heartbeat_time desc, name, id').all(pool.id) as Json[]).map((w) => w.id),
      queue_ids: (sqlite.prepare('select id from work_queue where work_pool_id = ? order by priority, name, id').all(pool.id) as Json[]).map((q) => q.id),
    }));
  } finally {
    sqlite.close();
  }
}

const POOL_ID = 'a0000000-0000-4000-8000-000000000001';

/**
 * A kubernetes pool with three workers as Prefect's heartbeat endpoint writes them: one
 * beating now, one silent for 200 s at the default 30 s interval (offline after 90 s), one
 * silent for 100 s with a 60 s interval (online until 180 s).
 */
function addPoolWithWorkers(path: string): void {
  const sqlite = new Database(path);
  try {
    const created = sqliteTime(86_400_000);
    const queueId = 'b0000000-0000-4000-8000-000000000001';
    sqlite.pragma('foreign_keys = OFF');
    sqlite
      .prepare(
        `insert into work_pool (id, created, updated, name, type, base_job_template, is_paused, concurrency_limit, default_queue_id, status, storage_configuration)
         values (?, ?, ?, 'k8s', 'kubernetes', '{"job_configuration": {"image": "{{ image }}"}, "variables": {"properties": {"image": {"type": "string"}}}}', 0, 5, ?, 'NOT_READY', '{}')`,
      )
      .run(POOL_ID, created, created, queueId);
    sqlite
      .prepare(
        `insert into work_queue (id, created, updated, name, description, is_paused, priority, work_pool_id, status)
         values (?, ?, ?, 'default', 'The work pool''s default queue.', 0, 1, ?, 'NOT_READY')`,
      )
      .run(queueId, created, created, POOL_ID);
    const insertWorker = sqlite.prepare(
      `insert into worker (id, created, updated, name, last_heartbeat_time, work_pool_id, heartbeat_interval_seconds, status)
       values (?, ?, ?, ?, ?, ?, ?, 'ONLINE')`,
    );
    insertWorker.run('e0000000-0000-4000-8000-000000000001', created, created, 'beating', sqliteTime(5_000), POOL_ID, 30);
    insertWorker.run('e0000000-0000-4000-8000-000000000002', created, created, 'silent', sqliteTime(200_000), POOL_ID, null);
    insertWorker.run('e0000000-0000-4000-8000-000000000003', created, created, 'slow', sqliteTime(100_000), POOL_ID, 60);
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
  describe(`work-pool commands on ${fixture}`, () => {
    let sqlitePath: string;
    let expected: Json[];
    const sqliteOutput: unknown[] = [];

    before(() => {
      sqlitePath = copyFixture(fixture);
      expected = readPools(sqlitePath);
    });
    after(removeTempDirs);

    withDialects('pools', () => sqlitePath, (db, dialect) => {
      it('work-pool ls --json matches plain SQL; old pools are NOT_READY, agent pools keep their stored status', async () => {
        const before = dialect === 'sqlite' ? fileHash(sqlitePath) : '';
        const pools = await jsonOf<Array<PoolJson>>(['work-pool', 'ls', '--db', db()]);
        expect(pools.map((p) => Object.keys(p).slice(0, POOL_KEYS.length))).to.deep.equal(pools.map(() => POOL_KEYS));
        expect(
          pools.map((p) => ({
            id: p.id, name: p.name, type: p.type, created: p.created, is_paused: p.is_paused, concurrency_limit: p.concurrency_limit,
            default_queue_id: p.default_queue_id, base_job_template: p.base_job_template, work_queue_count: p.work_queue_count,
          })),
        ).to.deep.equal(expected.map(({worker_ids, queue_ids, ...rest}) => rest));
        for (const pool of pools) {
          // Every fixture's workers stopped beating long ago.
          expect(pool.workers_online).to.equal(0);
          if (pool.type !== 'prefect-agent') expect(pool.status).to.equal('NOT_READY');
        }
        if (dialect === 'sqlite') expect(fileHash(sqlitePath), 'a read changed the database file').to.equal(before);
      });

      it('work-pool inspect by name and by id prefix: queues by priority, workers by heartbeat', async () => {
        for (const pool of expected) {
          const byName = await jsonOf<PoolJson>(['work-pool', 'inspect', String(pool.name), '--db', db()]);
          const byPrefix = await jsonOf<PoolJson>(['work-pool', 'inspect', String(pool.id).slice(0, 8), '--db', db()]);
          expect(byPrefix).to.deep.equal(byName);
          expect(byName.work_queues.map((q) => q.id)).to.deep.equal(pool.queue_ids);
          expect(byName.workers.map((w) => w.id)).to.deep.equal(pool.worker_ids);
          for (const worker of byName.workers) expect(Object.keys(worker)).to.deep.equal(WORKER_KEYS);
          const quiet = await runCli(['work-pool', 'inspect', String(pool.name), '--db', db(), '-q']);
          expect(quiet.stdout).to.equal(`${pool.id}\n`);
        }
      });

      it('PostgreSQL output equals SQLite output', async function () {
        const outputs = [await jsonOf(['work-pool', 'ls', '--db', db()])];
        for (const pool of expected) outputs.push(await jsonOf(['work-pool', 'inspect', String(pool.id), '--db', db()]));
        if (dialect === 'sqlite') sqliteOutput.push(...outputs);
        else if (sqliteOutput.length > 0) expect(outputs).to.deep.equal(sqliteOutput);
        else this.skip();
      });

      it('unknown pool → exit 3 (a JSON error under --json); --limit 0 → exit 2', async () => {
        const missing = await runCli(['work-pool', 'inspect', 'no-such-pool', '--db', db()]);
        expect(missing.exitCode).to.equal(3);
        expect(missing.stderr).to.equal('Error: no work pool named "no-such-pool"\n');
        const json = await runCli(['work-pool', 'inspect', 'no-such-pool', '--db', db(), '--json']);
        expect(JSON.parse(json.stdout)).to.deep.equal({error: {code: 'NOT_FOUND', message: 'no work pool named "no-such-pool"'}});
        expect((await runCli(['work-pool', 'ls', '--limit', '0', '--db', db()])).exitCode).to.equal(2);
      });
    });
  });
}

describe('work-pool commands with online and offline workers added', () => {
  let sqlitePath: string;
  before(() => {
    sqlitePath = copyFixture(PREFECT_FIXTURES.find((name) => name.includes('9e83011d1f2a'))!);
    addPoolWithWorkers(sqlitePath);
  });
  after(removeTempDirs);

  withDialects('k8s pool', () => sqlitePath, (db) => {
    it('derives worker status from heartbeat age × interval and the pool READY from an online worker', async () => {
      const pool = await jsonOf<PoolJson>(['work-pool', 'inspect', 'k8s', '--db', db()]);
      expect(pool.status).to.equal('READY');
      expect(pool.concurrency_limit).to.equal(5);
      expect(pool.workers.map((w) => [w.name, w.status, w.heartbeat_interval_seconds])).to.deep.equal([
        ['beating', 'ONLINE', 30],
        ['slow', 'ONLINE', 60],
        ['silent', 'OFFLINE', null],
      ]);
      const listed = await jsonOf<Array<Json>>(['work-pool', 'ls', '--db', db()]);
      expect(listed.map((p) => [p.name, p.status, p.workers_online, p.workers_offline])).to.deep.equal([
        ['bit-scope_local_pool', 'NOT_READY', 0, 1],
        ['k8s', 'READY', 2, 1],
      ]);
      const table = await runCli(['work-pool', 'ls', '--db', db()]);
      expect(table.stdout).to.match(/k8s\s+kubernetes\s+READY\s+no\s+5\s+1\s+2 online, 1 offline/);
    });

    it('a list cut by --limit says so on stderr', async () => {
      const cut = await runCli(['work-pool', 'ls', '--limit', '1', '--db', db(), '-q']);
      expect(cut.stdout.trim().split('\n')).to.have.length(1);
      const table = await runCli(['work-pool', 'ls', '--limit', '1', '--db', db()]);
      expect(table.stderr).to.equal('1 of 2 work pools; --limit N or --all for more\n');
    });
  });
});
