// Prefect's "Create `deployment_schedule` and add `Deployment.paused`" (2.16.0): a deployment
// may now have several schedules. Each deployment's schedule (unless null) becomes a
// deployment_schedule row, active as the deployment's schedule was; paused is set to the
// opposite of is_schedule_active. Prefect's downgrade drops both and moves nothing back:
// deployment.schedule still holds what it held before the upgrade.

export const migration = {
  release: '2.16.0',
  description: 'Create deployment_schedule, add deployment.paused; copy each schedule into it',
  sqlite: {revision: '265eb1a2da4c', downRevision: 'c63a0a6dc787'},
  postgres: {revision: '8cf4d4933848', downRevision: '6b63c51c31b4'},
  touches: {sqlite: ['deployment'], postgres: ['deployment']},
  drops: {
    sqlite: {tables: ['deployment_schedule'], columns: ['deployment.paused']},
    postgres: {tables: ['deployment_schedule'], columns: ['deployment.paused']},
  },
};

const SQLITE_SCHEDULE_TABLE = ({uuidDefaultFresh, nowDefault}) => ({
  createSql: `CREATE TABLE deployment_schedule (
	id CHAR(36) DEFAULT ${uuidDefaultFresh} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	schedule JSON NOT NULL, 
	active BOOLEAN NOT NULL, 
	deployment_id CHAR(36) NOT NULL, 
	CONSTRAINT pk_deployment_schedule PRIMARY KEY (id), 
	CONSTRAINT fk_deployment_schedule__deployment_id__deployment FOREIGN KEY(deployment_id) REFERENCES deployment (id) ON DELETE CASCADE
)`,
  indexes: [
    'CREATE INDEX ix_deployment_schedule__deployment_id ON deployment_schedule (deployment_id)',
    'CREATE INDEX ix_deployment_schedule__updated ON deployment_schedule (updated)',
  ],
});

/** deployment as Prefect's SQLite downgrade rebuilds it, without paused. */
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
	last_polled DATETIME, 
	CONSTRAINT pk_deployment PRIMARY KEY (id), 
	CONSTRAINT fk_deployment__flow_id__flow FOREIGN KEY(flow_id) REFERENCES flow (id) ON DELETE CASCADE, 
	CONSTRAINT fk_deployment__infrastructure_document_id__block_document FOREIGN KEY(infrastructure_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
	CONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY(storage_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
	CONSTRAINT fk_deployment__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL
)`,
  columns: ['id', 'created', 'updated', 'name', 'schedule', 'is_schedule_active', 'tags', 'parameters', 'flow_data', 'flow_id', 'description', 'infrastructure_document_id', 'manifest_path', 'parameter_openapi_schema', 'storage_document_id', 'version', 'infra_overrides', 'path', 'entrypoint', 'work_queue_name', 'created_by', 'updated_by', 'work_queue_id', 'pull_steps', 'enforce_parameter_schema', 'last_polled'],
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

const POSTGRES_SCHEDULE_TABLE = `CREATE TABLE deployment_schedule (
  id UUID DEFAULT GEN_RANDOM_UUID() NOT NULL,
  created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
  updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
  schedule JSONB NOT NULL,
  active BOOLEAN NOT NULL,
  deployment_id UUID NOT NULL,
  CONSTRAINT pk_deployment_schedule PRIMARY KEY (id),
  CONSTRAINT fk_deployment_schedule__deployment_id__deployment FOREIGN KEY (deployment_id) REFERENCES deployment (id) ON DELETE CASCADE
)`;

const POSTGRES_SCHEDULE_INDEXES = [
  'CREATE INDEX ix_deployment_schedule__deployment_id ON deployment_schedule (deployment_id)',
  'CREATE INDEX ix_deployment_schedule__updated ON deployment_schedule (updated)',
];

export async function up(knex, kit) {
  const postgres = kit.dialectOf(knex) === 'postgres';
  const sqliteTable = SQLITE_SCHEDULE_TABLE(kit.sqliteBatchText);
  await knex.raw(postgres ? POSTGRES_SCHEDULE_TABLE : sqliteTable.createSql);
  for (const index of postgres ? POSTGRES_SCHEDULE_INDEXES : sqliteTable.indexes) await knex.raw(index);
  await knex.raw("ALTER TABLE deployment ADD COLUMN paused BOOLEAN DEFAULT '0' NOT NULL");
  await knex.raw('CREATE INDEX ix_deployment__paused ON deployment (paused)');
  // New ids and timestamps come from the table's defaults, as in Prefect's script.
  await knex.raw(`
    INSERT INTO deployment_schedule (deployment_id, schedule, active)
    SELECT d.id, d.schedule, d.is_schedule_active
    FROM deployment d
    WHERE d.schedule IS NOT NULL AND d.schedule != 'null'`);
  await knex.raw('UPDATE deployment SET paused = NOT is_schedule_active WHERE paused = is_schedule_active');
}

export async function down(knex, kit) {
  await knex.raw('DROP INDEX ix_deployment__paused');
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE deployment DROP COLUMN paused');
  } else {
    const {columns, ...rebuild} = DEPLOYMENT_BEFORE(kit.sqliteBatchText);
    await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {...rebuild, copy: kit.copyColumns(columns)}));
  }
  await knex.raw('DROP INDEX ix_deployment_schedule__updated');
  await knex.raw('DROP INDEX ix_deployment_schedule__deployment_id');
  await knex.raw('DROP TABLE deployment_schedule');
}
