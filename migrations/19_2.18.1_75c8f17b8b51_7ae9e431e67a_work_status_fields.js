// Prefect 2.18.1: deployments, work pools and work queues carry a readiness status.

export const migration = {
  release: '2.18.1',
  description: 'Add status to deployment, work_pool and work_queue (PostgreSQL: three enum types)',
  sqlite: {revision: '75c8f17b8b51', downRevision: '824e9edafa60'},
  postgres: {revision: '7ae9e431e67a', downRevision: '15768c2ec702'},
  touches: {sqlite: ['deployment', 'work_pool', 'work_queue']},
  drops: {
    sqlite: {columns: ['deployment.status', 'work_pool.status', 'work_queue.status']},
    postgres: {columns: ['deployment.status', 'work_pool.status', 'work_queue.status']},
  },
};

const STATUSES = [
  {table: 'deployment', type: 'deployment_status', values: ['READY', 'NOT_READY']},
  {table: 'work_pool', type: 'work_pool_status', values: ['READY', 'NOT_READY', 'PAUSED']},
  {table: 'work_queue', type: 'work_queue_status', values: ['READY', 'NOT_READY', 'PAUSED']},
];

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const sqlite = kit.dialectOf(knex) === 'sqlite';
  for (const {table, type, values} of STATUSES) {
    // SQLite has no enum: alembic writes a VARCHAR as long as the longest value.
    if (!sqlite) await knex.raw(`CREATE TYPE ${type} AS ENUM (${values.map((value) => `'${value}'`).join(', ')})`);
    await knex.raw(`ALTER TABLE ${table} ADD COLUMN status ${sqlite ? 'VARCHAR(9)' : type} DEFAULT 'NOT_READY' NOT NULL`);
  }
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    for (const {table} of [...STATUSES].reverse()) await knex.raw(`ALTER TABLE ${table} DROP COLUMN status`);
    for (const {type} of [...STATUSES].reverse()) await knex.raw(`DROP TYPE ${type}`);
    return;
  }
  // Batch mode drops a column on SQLite by rebuilding the table.
  const text = kit.sqliteBatchText;
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'work_queue', createSql: WORK_QUEUE_TABLE(text), copy: kit.copyColumns(WORK_QUEUE_COLUMNS), indexes: WORK_QUEUE_INDEXES}));
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'work_pool', createSql: WORK_POOL_TABLE(text), copy: kit.copyColumns(WORK_POOL_COLUMNS), indexes: WORK_POOL_INDEXES}));
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'deployment', createSql: DEPLOYMENT_TABLE(text), copy: kit.copyColumns(DEPLOYMENT_COLUMNS), indexes: DEPLOYMENT_INDEXES}));
}

// The tables as Prefect's downgrade leaves them on SQLite (read off its result).
const WORK_QUEUE_TABLE = ({uuidDefaultSpaced, nowDefault}) => `CREATE TABLE "work_queue" (
\tid CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\tfilter JSON, 
\tdescription VARCHAR DEFAULT ('') NOT NULL, 
\tis_paused BOOLEAN DEFAULT '0' NOT NULL, 
\tconcurrency_limit INTEGER, 
\tlast_polled DATETIME, 
\tpriority INTEGER DEFAULT '1' NOT NULL, 
\twork_pool_id CHAR(36) NOT NULL, 
\tCONSTRAINT pk_work_queue PRIMARY KEY (id), 
\tCONSTRAINT uq_work_queue__work_pool_id_name UNIQUE (work_pool_id, name), 
\tCONSTRAINT fk_work_queue__work_pool_id__work_pool FOREIGN KEY(work_pool_id) REFERENCES work_pool (id) ON DELETE CASCADE
)`;
const WORK_QUEUE_COLUMNS = ['id', 'created', 'updated', 'name', 'filter', 'description', 'is_paused', 'concurrency_limit', 'last_polled', 'priority', 'work_pool_id'];
const WORK_QUEUE_INDEXES = [
  'CREATE INDEX ix_work_queue__updated ON work_queue (updated)',
  'CREATE INDEX ix_work_queue__work_pool_id_priority ON work_queue (work_pool_id, priority)',
  'CREATE INDEX ix_work_queue__work_pool_id ON work_queue (work_pool_id)',
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
\tCONSTRAINT pk_work_pool PRIMARY KEY (id), 
\tCONSTRAINT uq_work_pool__name UNIQUE (name), 
\tCONSTRAINT fk_work_pool__default_queue_id__work_queue FOREIGN KEY(default_queue_id) REFERENCES work_queue (id) ON DELETE RESTRICT
)`;
const WORK_POOL_COLUMNS = ['id', 'created', 'updated', 'name', 'description', 'type', 'base_job_template', 'is_paused', 'concurrency_limit', 'default_queue_id'];
const WORK_POOL_INDEXES = [
  'CREATE INDEX ix_work_pool__type ON work_pool (type)',
  'CREATE INDEX ix_work_pool__updated ON work_pool (updated)',
];
const DEPLOYMENT_TABLE = ({uuidDefaultSpaced, nowDefault}) => `CREATE TABLE "deployment" (
\tid CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\tschedule JSON, 
\tis_schedule_active BOOLEAN DEFAULT '1' NOT NULL, 
\ttags JSON DEFAULT '[]' NOT NULL, 
\tparameters JSON DEFAULT '{}' NOT NULL, 
\tflow_data JSON, 
\tflow_id CHAR(36) NOT NULL, 
\tdescription TEXT, 
\tinfrastructure_document_id CHAR(36), 
\tmanifest_path VARCHAR, 
\tparameter_openapi_schema JSON, 
\tstorage_document_id CHAR(36), 
\tversion VARCHAR, 
\tinfra_overrides JSON DEFAULT '{}' NOT NULL, 
\tpath VARCHAR, 
\tentrypoint VARCHAR, 
\twork_queue_name VARCHAR, 
\tcreated_by JSON, 
\tupdated_by JSON, 
\twork_queue_id CHAR(36), 
\tpull_steps JSON, 
\tenforce_parameter_schema BOOLEAN DEFAULT '0' NOT NULL, 
\tlast_polled DATETIME, 
\tpaused BOOLEAN DEFAULT '0' NOT NULL, 
\tCONSTRAINT pk_deployment PRIMARY KEY (id), 
\tCONSTRAINT fk_deployment__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL, 
\tCONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY(storage_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__flow_id__flow FOREIGN KEY(flow_id) REFERENCES flow (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__infrastructure_document_id__block_document FOREIGN KEY(infrastructure_document_id) REFERENCES block_document (id) ON DELETE CASCADE
)`;
const DEPLOYMENT_COLUMNS = ['id', 'created', 'updated', 'name', 'schedule', 'is_schedule_active', 'tags', 'parameters', 'flow_data', 'flow_id', 'description', 'infrastructure_document_id', 'manifest_path', 'parameter_openapi_schema', 'storage_document_id', 'version', 'infra_overrides', 'path', 'entrypoint', 'work_queue_name', 'created_by', 'updated_by', 'work_queue_id', 'pull_steps', 'enforce_parameter_schema', 'last_polled', 'paused'];
const DEPLOYMENT_INDEXES = [
  'CREATE INDEX ix_deployment__updated ON deployment (updated)',
  'CREATE INDEX ix_deployment__flow_id ON deployment (flow_id)',
  'CREATE INDEX ix_deployment__work_queue_id ON deployment (work_queue_id)',
  'CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment (flow_id, name)',
  'CREATE INDEX ix_deployment__created ON deployment (created)',
  'CREATE INDEX ix_deployment__paused ON deployment (paused)',
  'CREATE INDEX ix_deployment__work_queue_name ON deployment (work_queue_name)',
  'CREATE INDEX ix_deployment_name_case_insensitive ON deployment (name)',
];
