// Prefect 3.0.3: a deployment's concurrency limit becomes a global concurrency limit it points
// to; each deployment that already has a limit named `deployment:<its id>` is linked to it.

export const migration = {
  release: '3.0.3',
  description: 'Add deployment.concurrency_limit_id (to concurrency_limit_v2); link each deployment to its deployment:<id> limit',
  sqlite: {revision: '4ad4658cbefe', downRevision: '7d6350aea855'},
  postgres: {revision: 'eaec5004771f', downRevision: '555ed31b284d'},
  touches: {sqlite: ['deployment'], postgres: ['deployment']},
  drops: {sqlite: {columns: ['deployment.concurrency_limit_id']}, postgres: {columns: ['deployment.concurrency_limit_id']}},
};

const LIMIT_FOREIGN_KEY =
  'CONSTRAINT fk_deployment__concurrency_limit_id__concurrency_limit_v2 FOREIGN KEY(concurrency_limit_id) REFERENCES concurrency_limit_v2 (id) ON DELETE SET NULL';

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE deployment ADD COLUMN concurrency_limit_id UUID');
    await knex.raw(
      'ALTER TABLE deployment ADD CONSTRAINT fk_deployment__concurrency_limit_id__concurrency_limit_v2 FOREIGN KEY (concurrency_limit_id) REFERENCES concurrency_limit_v2 (id) ON DELETE SET NULL',
    );
    await knex.raw(
      "UPDATE deployment SET concurrency_limit_id = l.id FROM concurrency_limit_v2 l WHERE l.name = 'deployment:' || deployment.id::text",
    );
    return;
  }
  // Prefect rebuilds the table, then links in a second pass; linking while copying (limit names
  // are unique, so at most one matches) leaves the same rows after one pass over the table.
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {
    table: 'deployment',
    createSql: deploymentTable(kit.sqliteBatchText, ['concurrency_limit_id CHAR(36)'], [LIMIT_FOREIGN_KEY]),
    copy: {
      ...kit.copyColumns(DEPLOYMENT_COLUMNS),
      concurrency_limit_id: `(SELECT l.id FROM concurrency_limit_v2 l WHERE l.name = 'deployment:' || "deployment".id)`,
    },
    indexes: DEPLOYMENT_INDEXES,
  }));
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE deployment DROP CONSTRAINT fk_deployment__concurrency_limit_id__concurrency_limit_v2');
    await knex.raw('ALTER TABLE deployment DROP COLUMN concurrency_limit_id');
    return;
  }
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {
    table: 'deployment',
    createSql: deploymentTable(kit.sqliteBatchText, [], []),
    copy: kit.copyColumns(DEPLOYMENT_COLUMNS),
    indexes: DEPLOYMENT_INDEXES,
  }));
}

// deployment as Prefect's batch rebuilds leave it on SQLite (read off their results); the
// column and foreign key this step adds go last, where alembic puts them.
function deploymentTable({uuidDefaultSpaced, nowDefault}, addedColumns, addedForeignKeys) {
  return `CREATE TABLE "deployment" (
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
${addedColumns.map((column) => `\t${column}, \n`).join('')}\tCONSTRAINT pk_deployment PRIMARY KEY (id), 
\tCONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY(storage_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__infrastructure_document_id__block_document FOREIGN KEY(infrastructure_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
\tCONSTRAINT fk_deployment__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL, 
\tCONSTRAINT fk_deployment__flow_id__flow FOREIGN KEY(flow_id) REFERENCES flow (id) ON DELETE CASCADE${addedForeignKeys.map((key) => `, \n\t${key}`).join('')}
)`;
}

/** The columns both versions share. */
const DEPLOYMENT_COLUMNS = ['id', 'created', 'updated', 'name', 'schedule', 'is_schedule_active', 'tags', 'parameters', 'flow_data', 'flow_id', 'description', 'infrastructure_document_id', 'manifest_path', 'parameter_openapi_schema', 'storage_document_id', 'version', 'infra_overrides', 'path', 'entrypoint', 'work_queue_name', 'created_by', 'updated_by', 'work_queue_id', 'pull_steps', 'enforce_parameter_schema', 'last_polled', 'paused', 'status', 'concurrency_limit', 'concurrency_options'];

const DEPLOYMENT_INDEXES = [
  'CREATE INDEX ix_deployment__created ON deployment (created)',
  'CREATE INDEX ix_deployment__flow_id ON deployment (flow_id)',
  'CREATE INDEX ix_deployment__paused ON deployment (paused)',
  'CREATE INDEX ix_deployment__updated ON deployment (updated)',
  'CREATE INDEX ix_deployment__work_queue_id ON deployment (work_queue_id)',
  'CREATE INDEX ix_deployment__work_queue_name ON deployment (work_queue_name)',
  'CREATE INDEX ix_deployment_name_case_insensitive ON deployment (name)',
  'CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment (flow_id, name)',
];
