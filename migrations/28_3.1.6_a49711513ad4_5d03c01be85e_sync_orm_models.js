// Prefect 3.1.6: the schema brought in line with Prefect's ORM models. Columns the models no
// longer have are dropped (deployment.schedule, is_schedule_active, flow_data, manifest_path;
// deployment_schedule.catchup, max_active_runs), missing and misplaced indexes are fixed, and on
// PostgreSQL every artifact collection gets a latest_id (a fresh one where it had none).
// Downgrading brings the columns back empty (with their defaults), not their old values.

export const migration = {
  release: '3.1.6',
  description: 'Sync with the ORM: drop unused deployment and deployment_schedule columns, fix indexes; PostgreSQL: artifact_collection.latest_id required',
  sqlite: {revision: 'a49711513ad4', downRevision: '5952a5498b51'},
  postgres: {revision: '5d03c01be85e', downRevision: '68a44144428d'},
  touches: {sqlite: ['deployment', 'deployment_schedule'], postgres: ['artifact_collection']},
};

const SCHEDULER_INDEX_SQLITE =
  "CREATE INDEX ix_flow_run__scheduler_deployment_id_auto_scheduled_next_schedu ON flow_run (deployment_id, auto_scheduled, next_scheduled_start_time) WHERE state_type = 'SCHEDULED'";

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('UPDATE artifact_collection SET latest_id = GEN_RANDOM_UUID() WHERE latest_id IS NULL');
    await knex.raw('ALTER TABLE artifact_collection ALTER COLUMN latest_id SET NOT NULL');
    await knex.raw('CREATE INDEX ix_artifact_collection__updated ON artifact_collection (updated)');
    for (const column of ['schedule', 'is_schedule_active', 'flow_data']) await knex.raw(`ALTER TABLE deployment DROP COLUMN ${column}`);
    await knex.raw('DROP INDEX ix_flow_run__deployment_id');
    await knex.raw('ALTER TABLE deployment DROP COLUMN manifest_path');
    await knex.raw('ALTER TABLE deployment_schedule DROP COLUMN catchup');
    await knex.raw('ALTER TABLE deployment_schedule DROP COLUMN max_active_runs');
    return;
  }
  const text = kit.sqliteBatchText;
  await knex.raw('CREATE INDEX ix_artifact_collection__updated ON artifact_collection (updated)');
  // The old index of this name sat on artifact_collection; it moves to artifact, with DESC.
  await knex.raw('DROP INDEX ix_artifact__key_created_desc');
  await knex.raw('CREATE INDEX ix_artifact__key_created_desc ON artifact ("key", created DESC)');
  await knex.raw('DROP INDEX ix_block_document__block_type_name_name');
  await knex.raw('CREATE INDEX ix_block_document__block_type_name__name ON block_document (block_type_name, name)');
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'deployment', createSql: UP_DEPLOYMENT_TABLE(text), copy: kit.copyColumns(UP_DEPLOYMENT_COLUMNS), indexes: UP_DEPLOYMENT_INDEXES}));
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {
    table: 'deployment_schedule',
    createSql: UP_DEPLOYMENT_SCHEDULE_TABLE(text),
    copy: kit.copyColumns(UP_DEPLOYMENT_SCHEDULE_COLUMNS),
    indexes: UP_DEPLOYMENT_SCHEDULE_INDEXES,
  }));
  await knex.raw('DROP INDEX ix_flow_run__deployment_id');
  await knex.raw(SCHEDULER_INDEX_SQLITE);
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('CREATE INDEX ix_flow_run__deployment_id ON flow_run (deployment_id)');
    await knex.raw('ALTER TABLE deployment_schedule ADD COLUMN max_active_runs INTEGER');
    await knex.raw('ALTER TABLE deployment_schedule ADD COLUMN catchup BOOLEAN DEFAULT false NOT NULL');
    await knex.raw('ALTER TABLE deployment ADD COLUMN flow_data JSONB');
    await knex.raw('ALTER TABLE deployment ADD COLUMN is_schedule_active BOOLEAN DEFAULT true NOT NULL');
    await knex.raw('ALTER TABLE deployment ADD COLUMN manifest_path VARCHAR');
    await knex.raw('ALTER TABLE deployment ADD COLUMN schedule JSONB');
    await knex.raw('DROP INDEX ix_artifact_collection__updated');
    await knex.raw('ALTER TABLE artifact_collection ALTER COLUMN latest_id DROP NOT NULL');
    return;
  }
  const text = kit.sqliteBatchText;
  await knex.raw('DROP INDEX ix_flow_run__scheduler_deployment_id_auto_scheduled_next_schedu');
  await knex.raw('CREATE INDEX ix_flow_run__deployment_id ON flow_run (deployment_id)');
  // The re-added columns are filled by their defaults as the rows are copied.
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {
    table: 'deployment_schedule',
    createSql: DOWN_DEPLOYMENT_SCHEDULE_TABLE(text),
    copy: kit.copyColumns(UP_DEPLOYMENT_SCHEDULE_COLUMNS),
    indexes: DOWN_DEPLOYMENT_SCHEDULE_INDEXES,
  }));
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'deployment', createSql: DOWN_DEPLOYMENT_TABLE(text), copy: kit.copyColumns(UP_DEPLOYMENT_COLUMNS), indexes: DOWN_DEPLOYMENT_INDEXES}));
  await knex.raw('DROP INDEX ix_block_document__block_type_name__name');
  await knex.raw('CREATE INDEX ix_block_document__block_type_name_name ON block_document (block_type_name, name)');
  await knex.raw('DROP INDEX ix_artifact__key_created_desc');
  // Prefect's downgrade puts the index back on artifact_collection without the DESC it had.
  await knex.raw('CREATE INDEX ix_artifact__key_created_desc ON artifact_collection ("key", created)');
  await knex.raw('DROP INDEX ix_artifact_collection__updated');
}

// The tables as Prefect's upgrade and downgrade leave them on SQLite (read off their results).
const UP_DEPLOYMENT_TABLE = ({uuidDefaultSpaced, nowDefault}) => `CREATE TABLE "deployment" (
\tid CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\ttags JSON DEFAULT '[]' NOT NULL, 
\tparameters JSON DEFAULT '{}' NOT NULL, 
\tflow_id CHAR(36) NOT NULL, 
\tdescription TEXT, 
\tinfrastructure_document_id CHAR(36), 
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
\tlabels JSON, 
\tCONSTRAINT pk_deployment PRIMARY KEY (id), 
\tCONSTRAINT fk_deployment__flow_id__flow FOREIGN KEY(flow_id) REFERENCES flow (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__concurrency_limit_id__concurrency_limit_v2 FOREIGN KEY(concurrency_limit_id) REFERENCES concurrency_limit_v2 (id) ON DELETE SET NULL, 
\tCONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY(storage_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__infrastructure_document_id__block_document FOREIGN KEY(infrastructure_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL
)`;
const UP_DEPLOYMENT_COLUMNS = ['id', 'created', 'updated', 'name', 'tags', 'parameters', 'flow_id', 'description', 'infrastructure_document_id', 'parameter_openapi_schema', 'storage_document_id', 'version', 'infra_overrides', 'path', 'entrypoint', 'work_queue_name', 'created_by', 'updated_by', 'work_queue_id', 'pull_steps', 'enforce_parameter_schema', 'last_polled', 'paused', 'status', 'concurrency_limit', 'concurrency_options', 'concurrency_limit_id', 'labels'];
const UP_DEPLOYMENT_INDEXES = [
  'CREATE INDEX ix_deployment__flow_id ON deployment (flow_id)',
  'CREATE INDEX ix_deployment__work_queue_name ON deployment (work_queue_name)',
  'CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment (flow_id, name)',
  'CREATE INDEX ix_deployment__work_queue_id ON deployment (work_queue_id)',
  'CREATE INDEX ix_deployment__updated ON deployment (updated)',
  'CREATE INDEX ix_deployment__created ON deployment (created)',
  'CREATE INDEX ix_deployment__paused ON deployment (paused)',
  'CREATE INDEX ix_deployment_name_case_insensitive ON deployment (name)',
];
const UP_DEPLOYMENT_SCHEDULE_TABLE = ({uuidDefault, nowDefault}) => `CREATE TABLE "deployment_schedule" (
\tid CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tschedule JSON NOT NULL, 
\tactive BOOLEAN NOT NULL, 
\tdeployment_id CHAR(36) NOT NULL, 
\tmax_scheduled_runs INTEGER, 
\tCONSTRAINT pk_deployment_schedule PRIMARY KEY (id), 
\tCONSTRAINT fk_deployment_schedule__deployment_id__deployment FOREIGN KEY(deployment_id) REFERENCES deployment (id) ON DELETE CASCADE
)`;
const UP_DEPLOYMENT_SCHEDULE_COLUMNS = ['id', 'created', 'updated', 'schedule', 'active', 'deployment_id', 'max_scheduled_runs'];
const UP_DEPLOYMENT_SCHEDULE_INDEXES = [
  'CREATE INDEX ix_deployment_schedule__updated ON deployment_schedule (updated)',
  'CREATE INDEX ix_deployment_schedule__deployment_id ON deployment_schedule (deployment_id)',
];
const DOWN_DEPLOYMENT_TABLE = ({uuidDefaultSpaced, nowDefault}) => `CREATE TABLE "deployment" (
\tid CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tname VARCHAR NOT NULL, 
\ttags JSON DEFAULT '[]' NOT NULL, 
\tparameters JSON DEFAULT '{}' NOT NULL, 
\tflow_id CHAR(36) NOT NULL, 
\tdescription TEXT, 
\tinfrastructure_document_id CHAR(36), 
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
\tlabels JSON, 
\tis_schedule_active BOOLEAN DEFAULT '1' NOT NULL, 
\tflow_data JSON, 
\tschedule JSON, 
\tmanifest_path VARCHAR, 
\tCONSTRAINT pk_deployment PRIMARY KEY (id), 
\tCONSTRAINT fk_deployment__flow_id__flow FOREIGN KEY(flow_id) REFERENCES flow (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL, 
\tCONSTRAINT fk_deployment__infrastructure_document_id__block_document FOREIGN KEY(infrastructure_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY(storage_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__concurrency_limit_id__concurrency_limit_v2 FOREIGN KEY(concurrency_limit_id) REFERENCES concurrency_limit_v2 (id) ON DELETE SET NULL
)`;
const DOWN_DEPLOYMENT_INDEXES = [
  'CREATE INDEX ix_deployment__flow_id ON deployment (flow_id)',
  'CREATE INDEX ix_deployment__paused ON deployment (paused)',
  'CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment (flow_id, name)',
  'CREATE INDEX ix_deployment__updated ON deployment (updated)',
  'CREATE INDEX ix_deployment_name_case_insensitive ON deployment (name)',
  'CREATE INDEX ix_deployment__work_queue_id ON deployment (work_queue_id)',
  'CREATE INDEX ix_deployment__created ON deployment (created)',
  'CREATE INDEX ix_deployment__work_queue_name ON deployment (work_queue_name)',
];
const DOWN_DEPLOYMENT_SCHEDULE_TABLE = ({uuidDefault, nowDefault}) => `CREATE TABLE "deployment_schedule" (
\tid CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tschedule JSON NOT NULL, 
\tactive BOOLEAN NOT NULL, 
\tdeployment_id CHAR(36) NOT NULL, 
\tmax_scheduled_runs INTEGER, 
\tmax_active_runs INTEGER, 
\tcatchup BOOLEAN DEFAULT '0' NOT NULL, 
\tCONSTRAINT pk_deployment_schedule PRIMARY KEY (id), 
\tCONSTRAINT fk_deployment_schedule__deployment_id__deployment FOREIGN KEY(deployment_id) REFERENCES deployment (id) ON DELETE CASCADE
)`;
const DOWN_DEPLOYMENT_SCHEDULE_INDEXES = [
  'CREATE INDEX ix_deployment_schedule__deployment_id ON deployment_schedule (deployment_id)',
  'CREATE INDEX ix_deployment_schedule__updated ON deployment_schedule (updated)',
];
