// Prefect 2.18.2: workers carry an online/offline status, and a work pool remembers when its
// status last changed and the event that said so.

export const migration = {
  release: '2.18.2',
  description: 'Add worker.status and work_pool.last_transitioned_status_at / last_status_event_id',
  sqlite: {revision: 'a8e62d4c72cf', downRevision: '75c8f17b8b51'},
  postgres: {revision: '8905262ec07f', downRevision: '7ae9e431e67a'},
  touches: {sqlite: ['worker', 'work_pool']},
  drops: {
    sqlite: {columns: ['worker.status', 'work_pool.last_transitioned_status_at', 'work_pool.last_status_event_id']},
    postgres: {columns: ['worker.status', 'work_pool.last_transitioned_status_at', 'work_pool.last_status_event_id']},
  },
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const sqlite = kit.dialectOf(knex) === 'sqlite';
  await knex.raw(`ALTER TABLE work_pool ADD COLUMN last_transitioned_status_at ${sqlite ? 'DATETIME' : 'TIMESTAMP WITH TIME ZONE'}`);
  await knex.raw(`ALTER TABLE work_pool ADD COLUMN last_status_event_id ${sqlite ? 'CHAR(36)' : 'UUID'}`);
  // A downgrade (Prefect's or this file's) leaves the type behind; Prefect's upgrade then fails on
  // it, this one takes it as it is.
  if (!sqlite && !(await enumTypeExists(knex, 'worker_status'))) await knex.raw("CREATE TYPE worker_status AS ENUM ('ONLINE', 'OFFLINE')");
  await knex.raw(`ALTER TABLE worker ADD COLUMN status ${sqlite ? 'VARCHAR(7)' : 'worker_status'} DEFAULT 'OFFLINE' NOT NULL`);
}

async function enumTypeExists(knex, name) {
  const found = await knex.raw(
    "select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = current_schema() and t.typname = ?",
    [name],
  );
  return found.rows.length > 0;
}

/**
 * Prefect's PostgreSQL downgrade leaves the worker_status type behind, and so does this one:
 * the database is the one Prefect's downgrade would have left.
 * @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit
 */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE worker DROP COLUMN status');
    await knex.raw('ALTER TABLE work_pool DROP COLUMN last_transitioned_status_at');
    await knex.raw('ALTER TABLE work_pool DROP COLUMN last_status_event_id');
    return;
  }
  const text = kit.sqliteBatchText;
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'worker', createSql: WORKER_TABLE(text), copy: kit.copyColumns(WORKER_COLUMNS), indexes: WORKER_INDEXES}));
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'work_pool', createSql: WORK_POOL_TABLE(text), copy: kit.copyColumns(WORK_POOL_COLUMNS), indexes: WORK_POOL_INDEXES}));
}

// The tables as Prefect's downgrade leaves them on SQLite (read off its result).
const WORKER_TABLE = ({uuidDefault, nowDefault}) => `CREATE TABLE "worker" (
\tid CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\tlast_heartbeat_time DATETIME DEFAULT ${nowDefault} NOT NULL, 
\twork_pool_id CHAR(36) NOT NULL, 
\theartbeat_interval_seconds INTEGER, 
\tCONSTRAINT pk_worker PRIMARY KEY (id), 
\tCONSTRAINT uq_worker__work_pool_id_name UNIQUE (work_pool_id, name), 
\tCONSTRAINT fk_worker__work_pool_id__work_pool FOREIGN KEY(work_pool_id) REFERENCES work_pool (id) ON DELETE CASCADE
)`;
const WORKER_COLUMNS = ['id', 'created', 'updated', 'name', 'last_heartbeat_time', 'work_pool_id', 'heartbeat_interval_seconds'];
const WORKER_INDEXES = [
  'CREATE INDEX ix_worker__updated ON worker (updated)',
  'CREATE INDEX ix_worker__work_pool_id_last_heartbeat_time ON worker (work_pool_id, last_heartbeat_time)',
  'CREATE INDEX ix_worker__work_pool_id ON worker (work_pool_id)',
];
const WORK_POOL_TABLE = ({uuidDefault, nowDefault}) => `CREATE TABLE "work_pool" (
\tid CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\tdescription VARCHAR, 
\ttype VARCHAR NOT NULL, 
\tbase_job_template JSON DEFAULT '{}' NOT NULL, 
\tis_paused BOOLEAN DEFAULT '0' NOT NULL, 
\tconcurrency_limit INTEGER, 
\tdefault_queue_id CHAR(36), 
\tstatus VARCHAR(9) DEFAULT 'NOT_READY' NOT NULL, 
\tCONSTRAINT pk_work_pool PRIMARY KEY (id), 
\tCONSTRAINT fk_work_pool__default_queue_id__work_queue FOREIGN KEY(default_queue_id) REFERENCES work_queue (id) ON DELETE RESTRICT, 
\tCONSTRAINT uq_work_pool__name UNIQUE (name)
)`;
const WORK_POOL_COLUMNS = ['id', 'created', 'updated', 'name', 'description', 'type', 'base_job_template', 'is_paused', 'concurrency_limit', 'default_queue_id', 'status'];
const WORK_POOL_INDEXES = [
  'CREATE INDEX ix_work_pool__type ON work_pool (type)',
  'CREATE INDEX ix_work_pool__updated ON work_pool (updated)',
];
