// Prefect 3.2.15: deployments keep versions (one row per deployment and branch).

export const migration = {
  release: '3.2.15',
  description: 'Create deployment_version; add deployment.version_id',
  sqlite: {revision: 'bbca16f6f218', downRevision: '3457c6ca2360'},
  postgres: {revision: '06b7c293bc69', downRevision: 'b5f5644500d2'},
  drops: {
    sqlite: {tables: ['deployment_version'], columns: ['deployment.version_id']},
    postgres: {tables: ['deployment_version'], columns: ['deployment.version_id']},
  },
};

// Prefect's text, GEN_RANDOM_UUID() default included: SQLite has no such function, so on
// SQLite an id must always be given (Prefect's ORM does).
const CREATE_TABLE = {
  sqlite: `CREATE TABLE deployment_version (
	deployment_id CHAR(36) NOT NULL, 
	branch VARCHAR, 
	version_info JSON DEFAULT '{}' NOT NULL, 
	description TEXT, 
	tags JSON DEFAULT '[]' NOT NULL, 
	labels JSON, 
	entrypoint VARCHAR, 
	pull_steps JSON, 
	parameters JSON DEFAULT '{}' NOT NULL, 
	parameter_openapi_schema JSON, 
	enforce_parameter_schema BOOLEAN DEFAULT '0' NOT NULL, 
	work_queue_id CHAR(36), 
	work_queue_name VARCHAR, 
	infra_overrides JSON DEFAULT '{}' NOT NULL, 
	id CHAR(36) DEFAULT (GEN_RANDOM_UUID()) NOT NULL, 
	created DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	CONSTRAINT pk_deployment_version PRIMARY KEY (id), 
	CONSTRAINT fk_deployment_version__deployment_id__deployment FOREIGN KEY(deployment_id) REFERENCES deployment (id) ON DELETE CASCADE, 
	CONSTRAINT fk_deployment_version__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL
)`,
  postgres: `CREATE TABLE deployment_version (
	deployment_id UUID NOT NULL, 
	branch VARCHAR, 
	version_info JSONB DEFAULT '{}' NOT NULL, 
	description TEXT, 
	tags JSONB DEFAULT '[]' NOT NULL, 
	labels JSONB, 
	entrypoint VARCHAR, 
	pull_steps JSONB, 
	parameters JSONB DEFAULT '{}' NOT NULL, 
	parameter_openapi_schema JSONB, 
	enforce_parameter_schema BOOLEAN DEFAULT '0' NOT NULL, 
	work_queue_id UUID, 
	work_queue_name VARCHAR, 
	infra_overrides JSONB DEFAULT '{}' NOT NULL, 
	id UUID DEFAULT (GEN_RANDOM_UUID()) NOT NULL, 
	created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	CONSTRAINT pk_deployment_version PRIMARY KEY (id), 
	CONSTRAINT fk_deployment_version__deployment_id__deployment FOREIGN KEY(deployment_id) REFERENCES deployment (id) ON DELETE CASCADE, 
	CONSTRAINT fk_deployment_version__work_queue_id__work_queue FOREIGN KEY(work_queue_id) REFERENCES work_queue (id) ON DELETE SET NULL
)`,
};

const UUID_TYPE = {sqlite: 'CHAR(36)', postgres: 'UUID'};

const VERSION_INDEXES = [
  'CREATE INDEX ix_deployment_version__deployment_id ON deployment_version (deployment_id)',
  'CREATE INDEX ix_deployment_version__updated ON deployment_version (updated)',
  'CREATE INDEX ix_deployment_version__work_queue_id ON deployment_version (work_queue_id)',
  'CREATE INDEX ix_deployment_version__work_queue_name ON deployment_version (work_queue_name)',
  'CREATE UNIQUE INDEX uq_deployment_version__deployment__branch ON deployment_version (deployment_id, branch)',
];

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const dialect = kit.dialectOf(knex);
  await knex.raw(CREATE_TABLE[dialect]);
  for (const index of VERSION_INDEXES) await knex.raw(index);
  await knex.raw(`ALTER TABLE deployment ADD COLUMN version_id ${UUID_TYPE[dialect]}`);
  await knex.raw('CREATE INDEX ix_deployment__version_id ON deployment (version_id)');
}

// Prefect's batch block on deployment_version only drops indexes, which needs no rebuild,
// and version_id goes with a plain drop_column (in place on SQLite too).
export async function down(knex) {
  for (const index of [
    'uq_deployment_version__deployment__branch',
    'ix_deployment_version__work_queue_name',
    'ix_deployment_version__work_queue_id',
    'ix_deployment_version__updated',
    'ix_deployment_version__deployment_id',
    'ix_deployment__version_id',
  ]) {
    await knex.raw('DROP INDEX ??', [index]);
  }
  await knex.raw('ALTER TABLE deployment DROP COLUMN version_id');
  await knex.raw('DROP TABLE deployment_version');
}
