// Prefect's "Create `flow_run_input` table" (2.14.10): key/value inputs a paused flow run
// receives. Its tie to flow_run (a foreign key) comes in the next step.

export const migration = {
  release: '2.14.10',
  description: 'Create flow_run_input',
  sqlite: {revision: 'a299308852a7', downRevision: '9c493c02ca6d'},
  postgres: {revision: '733ca1903976', downRevision: '9c493c02ca6d'},
  drops: {sqlite: {tables: ['flow_run_input']}, postgres: {tables: ['flow_run_input']}},
};

const SQLITE = ({uuidDefaultFresh, nowDefault}) => ({
  createSql: `CREATE TABLE flow_run_input (
	id CHAR(36) DEFAULT ${uuidDefaultFresh} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	"key" VARCHAR NOT NULL, 
	value TEXT NOT NULL, 
	flow_run_id CHAR(36) NOT NULL, 
	CONSTRAINT pk_flow_run_input PRIMARY KEY (id), 
	CONSTRAINT uq_flow_run_input__flow_run_id_key UNIQUE (flow_run_id, "key")
)`,
  indexes: [
    'CREATE INDEX ix_flow_run_input__updated ON flow_run_input (updated)',
  ],
});

const POSTGRES_TABLE = `CREATE TABLE flow_run_input (
  id UUID DEFAULT GEN_RANDOM_UUID() NOT NULL,
  created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
  updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
  key VARCHAR NOT NULL,
  value TEXT NOT NULL,
  flow_run_id UUID NOT NULL,
  CONSTRAINT pk_flow_run_input PRIMARY KEY (id),
  CONSTRAINT uq_flow_run_input__flow_run_id_key UNIQUE (flow_run_id, key)
)`;

export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw(POSTGRES_TABLE);
    await knex.raw('CREATE INDEX ix_flow_run_input__updated ON flow_run_input (updated)');
    return;
  }
  const table = SQLITE(kit.sqliteBatchText);
  await knex.raw(table.createSql);
  for (const index of table.indexes) await knex.raw(index);
}

export async function down(knex) {
  await knex.raw('DROP INDEX ix_flow_run_input__updated');
  await knex.raw('DROP TABLE flow_run_input');
}
