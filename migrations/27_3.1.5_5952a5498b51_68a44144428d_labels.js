// Prefect 3.1.5: deployments, flows, flow runs and task runs carry labels.

const TABLES = ['deployment', 'flow', 'flow_run', 'task_run'];

export const migration = {
  release: '3.1.5',
  description: 'Add labels to deployment, flow, flow_run and task_run',
  sqlite: {revision: '5952a5498b51', downRevision: '4ad4658cbefe'},
  postgres: {revision: '68a44144428d', downRevision: 'eaec5004771f'},
  touches: {sqlite: TABLES},
  drops: {sqlite: {columns: TABLES.map((table) => `${table}.labels`)}, postgres: {columns: TABLES.map((table) => `${table}.labels`)}},
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const type = kit.dialectOf(knex) === 'sqlite' ? 'JSON' : 'JSONB';
  for (const table of TABLES) await knex.raw(`ALTER TABLE ${table} ADD COLUMN labels ${type}`);
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    for (const table of [...TABLES].reverse()) await knex.raw(`ALTER TABLE ${table} DROP COLUMN labels`);
    return;
  }
  // Batch mode drops a column on SQLite by rebuilding the table: every flow run and task run is
  // copied once, as Prefect's downgrade does.
  const text = kit.sqliteBatchText;
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'task_run', createSql: TASK_RUN_TABLE(text), copy: kit.copyColumns(TASK_RUN_COLUMNS), indexes: TASK_RUN_INDEXES}));
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'flow_run', createSql: FLOW_RUN_TABLE(text), copy: kit.copyColumns(FLOW_RUN_COLUMNS), indexes: FLOW_RUN_INDEXES}));
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'flow', createSql: FLOW_TABLE(text), copy: kit.copyColumns(FLOW_COLUMNS), indexes: FLOW_INDEXES}));
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'deployment', createSql: DEPLOYMENT_TABLE(text), copy: kit.copyColumns(DEPLOYMENT_COLUMNS), indexes: DEPLOYMENT_INDEXES}));
}

// The tables as Prefect's downgrade leaves them on SQLite (read off its result).
const TASK_RUN_TABLE = ({uuidDefaultSpaced, nowDefault}) => `CREATE TABLE "task_run" (
\tid CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\tstate_type VARCHAR(9), 
\trun_count INTEGER DEFAULT '0' NOT NULL, 
\texpected_start_time DATETIME, 
\tnext_scheduled_start_time DATETIME, 
\tstart_time DATETIME, 
\tend_time DATETIME, 
\ttotal_run_time DATETIME DEFAULT '0' NOT NULL, 
\ttask_key VARCHAR NOT NULL, 
\tdynamic_key VARCHAR NOT NULL, 
\tcache_key VARCHAR, 
\tcache_expiration DATETIME, 
\ttask_version VARCHAR, 
\tempirical_policy JSON DEFAULT '{}' NOT NULL, 
\ttask_inputs JSON DEFAULT '{}' NOT NULL, 
\ttags JSON DEFAULT '[]' NOT NULL, 
\tflow_run_id CHAR(36), 
\tstate_id CHAR(36), 
\tstate_name VARCHAR, 
\tstate_timestamp DATETIME, 
\tflow_run_run_count INTEGER DEFAULT '0' NOT NULL, 
\tCONSTRAINT pk_task_run PRIMARY KEY (id), 
\tCONSTRAINT fk_task_run__flow_run_id__flow_run FOREIGN KEY(flow_run_id) REFERENCES flow_run (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_task_run__state_id__task_run_state FOREIGN KEY(state_id) REFERENCES task_run_state (id) ON DELETE SET NULL
)`;
const TASK_RUN_COLUMNS = ['id', 'created', 'updated', 'name', 'state_type', 'run_count', 'expected_start_time', 'next_scheduled_start_time', 'start_time', 'end_time', 'total_run_time', 'task_key', 'dynamic_key', 'cache_key', 'cache_expiration', 'task_version', 'empirical_policy', 'task_inputs', 'tags', 'flow_run_id', 'state_id', 'state_name', 'state_timestamp', 'flow_run_run_count'];
const TASK_RUN_INDEXES = [
  'CREATE UNIQUE INDEX uq_task_run__flow_run_id_task_key_dynamic_key ON task_run (flow_run_id, task_key, dynamic_key)',
  'CREATE INDEX ix_task_run__next_scheduled_start_time_asc ON task_run (next_scheduled_start_time)',
  'CREATE INDEX ix_task_run__updated ON task_run (updated)',
  'CREATE INDEX ix_task_run__flow_run_id ON task_run (flow_run_id)',
  'CREATE INDEX ix_task_run__state_id ON task_run (state_id)',
  'CREATE INDEX ix_task_run__state_name ON task_run (state_name)',
  'CREATE INDEX ix_task_run__state_timestamp ON task_run (state_timestamp)',
  'CREATE INDEX ix_task_run__expected_start_time_desc ON task_run (expected_start_time)',
  'CREATE INDEX ix_task_run__state_type ON task_run (state_type)',
  'CREATE INDEX ix_task_run__name ON task_run (name)',
  'CREATE INDEX ix_task_run__start_time ON task_run (start_time)',
  'CREATE INDEX ix_task_run_name_case_insensitive ON task_run (name)',
  'CREATE INDEX ix_task_run__end_time_desc ON task_run (end_time)',
];
const FLOW_RUN_TABLE = ({uuidDefaultSpaced, nowDefault}) => `CREATE TABLE "flow_run" (
\tid CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\tstate_type VARCHAR(9), 
\trun_count INTEGER DEFAULT '0' NOT NULL, 
\texpected_start_time DATETIME, 
\tnext_scheduled_start_time DATETIME, 
\tstart_time DATETIME, 
\tend_time DATETIME, 
\ttotal_run_time DATETIME DEFAULT '0' NOT NULL, 
\tflow_version VARCHAR, 
\tparameters JSON DEFAULT '{}' NOT NULL, 
\tidempotency_key VARCHAR, 
\tcontext JSON DEFAULT '{}' NOT NULL, 
\tempirical_policy JSON DEFAULT '{}' NOT NULL, 
\ttags JSON DEFAULT '[]' NOT NULL, 
\tauto_scheduled BOOLEAN DEFAULT '0' NOT NULL, 
\tflow_id CHAR(36) NOT NULL, 
\tdeployment_id CHAR(36), 
\tparent_task_run_id CHAR(36), 
\tstate_id CHAR(36), 
\tstate_name VARCHAR, 
\tinfrastructure_document_id CHAR(36), 
\twork_queue_name VARCHAR, 
\tstate_timestamp DATETIME, 
\tcreated_by JSON, 
\tinfrastructure_pid VARCHAR, 
\twork_queue_id CHAR(36), 
\tjob_variables JSON DEFAULT '{}', 
\tdeployment_version VARCHAR, 
\tCONSTRAINT pk_flow_run PRIMARY KEY (id), 
\tCONSTRAINT fk_flow_run__flow_id__flow FOREIGN KEY(flow_id) REFERENCES flow (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_flow_run__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL, 
\tCONSTRAINT fk_flow_run__parent_task_run_id__task_run FOREIGN KEY(parent_task_run_id) REFERENCES task_run (id) ON DELETE SET NULL, 
\tCONSTRAINT fk_flow_run__infrastructure_document_id__block_document FOREIGN KEY(infrastructure_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_flow_run__state_id__flow_run_state FOREIGN KEY(state_id) REFERENCES flow_run_state (id) ON DELETE SET NULL
)`;
const FLOW_RUN_COLUMNS = ['id', 'created', 'updated', 'name', 'state_type', 'run_count', 'expected_start_time', 'next_scheduled_start_time', 'start_time', 'end_time', 'total_run_time', 'flow_version', 'parameters', 'idempotency_key', 'context', 'empirical_policy', 'tags', 'auto_scheduled', 'flow_id', 'deployment_id', 'parent_task_run_id', 'state_id', 'state_name', 'infrastructure_document_id', 'work_queue_name', 'state_timestamp', 'created_by', 'infrastructure_pid', 'work_queue_id', 'job_variables', 'deployment_version'];
const FLOW_RUN_INDEXES = [
  'CREATE INDEX ix_flow_run__state_type ON flow_run (state_type)',
  'CREATE INDEX ix_flow_run__state_timestamp ON flow_run (state_timestamp)',
  'CREATE INDEX ix_flow_run__work_queue_id ON flow_run (work_queue_id)',
  'CREATE INDEX ix_flow_run__flow_id ON flow_run (flow_id)',
  'CREATE INDEX ix_flow_run_name_case_insensitive ON flow_run (name)',
  'CREATE INDEX ix_flow_run__start_time ON flow_run (start_time)',
  'CREATE INDEX ix_flow_run__end_time_desc ON flow_run (end_time)',
  'CREATE INDEX ix_flow_run__work_queue_name ON flow_run (work_queue_name)',
  'CREATE INDEX ix_flow_run__parent_task_run_id ON flow_run (parent_task_run_id)',
  'CREATE INDEX ix_flow_run__updated ON flow_run (updated)',
  'CREATE INDEX ix_flow_run__flow_version ON flow_run (flow_version)',
  'CREATE INDEX ix_flow_run__name ON flow_run (name)',
  'CREATE INDEX ix_flow_run__infrastructure_document_id ON flow_run (infrastructure_document_id)',
  'CREATE INDEX ix_flow_run__expected_start_time_desc ON flow_run (expected_start_time)',
  'CREATE INDEX ix_flow_run__next_scheduled_start_time_asc ON flow_run (next_scheduled_start_time)',
  'CREATE UNIQUE INDEX uq_flow_run__flow_id_idempotency_key ON flow_run (flow_id, idempotency_key)',
  'CREATE INDEX ix_flow_run__state_name ON flow_run (state_name)',
  'CREATE INDEX ix_flow_run__deployment_version ON flow_run (deployment_version)',
  'CREATE INDEX ix_flow_run__state_id ON flow_run (state_id)',
  'CREATE INDEX ix_flow_run__deployment_id ON flow_run (deployment_id)',
];
const FLOW_TABLE = ({uuidDefaultSpaced, nowDefault}) => `CREATE TABLE "flow" (
\tid CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\ttags JSON DEFAULT '[]' NOT NULL, 
\tCONSTRAINT pk_flow PRIMARY KEY (id), 
\tCONSTRAINT uq_flow__name UNIQUE (name)
)`;
const FLOW_COLUMNS = ['id', 'created', 'updated', 'name', 'tags'];
const FLOW_INDEXES = [
  'CREATE INDEX ix_flow__created ON flow (created)',
  'CREATE INDEX ix_flow__updated ON flow (updated)',
  'CREATE INDEX ix_flow_name_case_insensitive ON flow (name)',
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
\tstatus VARCHAR(9) DEFAULT 'NOT_READY' NOT NULL, 
\tconcurrency_limit INTEGER, 
\tconcurrency_options JSON, 
\tconcurrency_limit_id CHAR(36), 
\tCONSTRAINT pk_deployment PRIMARY KEY (id), 
\tCONSTRAINT fk_deployment__infrastructure_document_id__block_document FOREIGN KEY(infrastructure_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY(storage_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__flow_id__flow FOREIGN KEY(flow_id) REFERENCES flow (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__concurrency_limit_id__concurrency_limit_v2 FOREIGN KEY(concurrency_limit_id) REFERENCES concurrency_limit_v2 (id) ON DELETE SET NULL, 
\tCONSTRAINT fk_deployment__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL
)`;
const DEPLOYMENT_COLUMNS = ['id', 'created', 'updated', 'name', 'schedule', 'is_schedule_active', 'tags', 'parameters', 'flow_data', 'flow_id', 'description', 'infrastructure_document_id', 'manifest_path', 'parameter_openapi_schema', 'storage_document_id', 'version', 'infra_overrides', 'path', 'entrypoint', 'work_queue_name', 'created_by', 'updated_by', 'work_queue_id', 'pull_steps', 'enforce_parameter_schema', 'last_polled', 'paused', 'status', 'concurrency_limit', 'concurrency_options', 'concurrency_limit_id'];
const DEPLOYMENT_INDEXES = [
  'CREATE INDEX ix_deployment__updated ON deployment (updated)',
  'CREATE INDEX ix_deployment__work_queue_id ON deployment (work_queue_id)',
  'CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment (flow_id, name)',
  'CREATE INDEX ix_deployment__paused ON deployment (paused)',
  'CREATE INDEX ix_deployment__flow_id ON deployment (flow_id)',
  'CREATE INDEX ix_deployment_name_case_insensitive ON deployment (name)',
  'CREATE INDEX ix_deployment__work_queue_name ON deployment (work_queue_name)',
  'CREATE INDEX ix_deployment__created ON deployment (created)',
];
