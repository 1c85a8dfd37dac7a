// Prefect 3.0.0: a deployment may limit how many of its runs are active at once.

export const migration = {
  release: '3.0.0',
  description: 'Add deployment.concurrency_limit',
  sqlite: {revision: 'f93e1439f022', downRevision: '354f1ede7e9f'},
  postgres: {revision: '97429116795e', downRevision: '7495a5013e7e'},
  touches: {sqlite: ['deployment']},
  drops: {sqlite: {columns: ['deployment.concurrency_limit']}, postgres: {columns: ['deployment.concurrency_limit']}},
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  await knex.raw(`ALTER TABLE deployment ADD COLUMN concurrency_limit ${kit.dialectOf(knex) === 'sqlite' ? 'INTEGER' : 'INTEGER'}`);
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE deployment DROP COLUMN concurrency_limit');
    return;
  }
  // Batch mode drops a column on SQLite by rebuilding the table.
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {table: 'deployment', createSql: DEPLOYMENT_TABLE(kit.sqliteBatchText), copy: kit.copyColumns(DEPLOYMENT_COLUMNS), indexes: DEPLOYMENT_INDEXES}));
}

// The table as Prefect's downgrade leaves it on SQLite (read off its result).
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
\tCONSTRAINT pk_deployment PRIMARY KEY (id), 
\tCONSTRAINT fk_deployment__infrastructure_document_id__block_document FOREIGN KEY(infrastructure_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY(storage_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL, 
\tCONSTRAINT fk_deployment__flow_id__flow FOREIGN KEY(flow_id) REFERENCES flow (id) ON DELETE CASCADE
)`;
const DEPLOYMENT_COLUMNS = ['id', 'created', 'updated', 'name', 'schedule', 'is_schedule_active', 'tags', 'parameters', 'flow_data', 'flow_id', 'description', 'infrastructure_document_id', 'manifest_path', 'parameter_openapi_schema', 'storage_document_id', 'version', 'infra_overrides', 'path', 'entrypoint', 'work_queue_name', 'created_by', 'updated_by', 'work_queue_id', 'pull_steps', 'enforce_parameter_schema', 'last_polled', 'paused', 'status'];
const DEPLOYMENT_INDEXES = [
  'CREATE INDEX ix_deployment__work_queue_id ON deployment (work_queue_id)',
  'CREATE INDEX ix_deployment__flow_id ON deployment (flow_id)',
  'CREATE INDEX ix_deployment__work_queue_name ON deployment (work_queue_name)',
  'CREATE INDEX ix_deployment_name_case_insensitive ON deployment (name)',
  'CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment (flow_id, name)',
  'CREATE INDEX ix_deployment__paused ON deployment (paused)',
  'CREATE INDEX ix_deployment__created ON deployment (created)',
  'CREATE INDEX ix_deployment__updated ON deployment (updated)',
];
