// Prefect's "Add `last_polled` to deployment" (2.13.8). SQLite adds the column in place;
// dropping it again is a batch rebuild of deployment.

export const migration = {
  release: '2.13.8',
  description: 'Add deployment.last_polled',
  sqlite: {revision: 'f3165ae0a213', downRevision: '05ea6f882b1d'},
  postgres: {revision: 'bfe653bbf62e', downRevision: '05ea6f882b1d'},
  touches: {sqlite: ['deployment']},
  drops: {sqlite: {columns: ['deployment.last_polled']}, postgres: {columns: ['deployment.last_polled']}},
};

/** deployment as Prefect's downgrade rebuilds it, without the column. */
const DEPLOYMENT_BEFORE = ({uuidDefaultSpaced, nowDefault}) => ({
  table: 'deployment',
  createSql: `CREATE TABLE "deployment" (
	id CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	name VARCHAR NOT NULL, 
	schedule JSON, 
	is_schedule_active BOOLEAN DEFAULT '1' NOT NULL, 
	tags JSON DEFAULT '[]' NOT NULL, 
	parameters JSON DEFAULT '{}' NOT NULL, 
	flow_data JSON, 
	flow_id CHAR(36) NOT NULL, 
	description TEXT, 
	infrastructure_document_id CHAR(36), 
	manifest_path VARCHAR, 
	parameter_openapi_schema JSON, 
	storage_document_id CHAR(36), 
	version VARCHAR, 
	infra_overrides JSON DEFAULT '{}' NOT NULL, 
	path VARCHAR, 
	entrypoint VARCHAR, 
	work_queue_name VARCHAR, 
	created_by JSON, 
	updated_by JSON, 
	work_queue_id CHAR(36), 
	pull_steps JSON, 
	enforce_parameter_schema BOOLEAN DEFAULT '0' NOT NULL, 
	CONSTRAINT pk_deployment PRIMARY KEY (id), 
	CONSTRAINT fk_deployment__infrastructure_document_id__block_document FOREIGN KEY(infrastructure_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
	CONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY(storage_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
	CONSTRAINT fk_deployment__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL, 
	CONSTRAINT fk_deployment__flow_id__flow FOREIGN KEY(flow_id) REFERENCES flow (id) ON DELETE CASCADE
)`,
  columns: ['id', 'created', 'updated', 'name', 'schedule', 'is_schedule_active', 'tags', 'parameters', 'flow_data', 'flow_id', 'description', 'infrastructure_document_id', 'manifest_path', 'parameter_openapi_schema', 'storage_document_id', 'version', 'infra_overrides', 'path', 'entrypoint', 'work_queue_name', 'created_by', 'updated_by', 'work_queue_id', 'pull_steps', 'enforce_parameter_schema'],
  indexes: [
    'CREATE INDEX ix_deployment__created ON deployment (created)',
    'CREATE INDEX ix_deployment__flow_id ON deployment (flow_id)',
    'CREATE INDEX ix_deployment__updated ON deployment (updated)',
    'CREATE INDEX ix_deployment__work_queue_id ON deployment (work_queue_id)',
    'CREATE INDEX ix_deployment__work_queue_name ON deployment (work_queue_name)',
    'CREATE INDEX ix_deployment_name_case_insensitive ON deployment (name)',
    'CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment (flow_id, name)',
  ],
});

export async function up(knex, kit) {
  const type = kit.dialectOf(knex) === 'postgres' ? 'TIMESTAMP WITH TIME ZONE' : 'DATETIME';
  await knex.raw(`ALTER TABLE deployment ADD COLUMN last_polled ${type}`);
}

export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE deployment DROP COLUMN last_polled');
    return;
  }
  const {columns, ...rebuild} = DEPLOYMENT_BEFORE(kit.sqliteBatchText);
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {...rebuild, copy: kit.copyColumns(columns)}));
}
