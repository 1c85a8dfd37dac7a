// Prefect's "Make `FlowRunInput.flow_run_id` a foreign key to `flow_run`" (2.14.10): inputs
// go when their flow run is deleted. SQLite adds and drops the constraint by batch rebuilds.

export const migration = {
  release: '2.14.10',
  description: 'Tie flow_run_input.flow_run_id to flow_run (ON DELETE CASCADE)',
  sqlite: {revision: '35659cc49969', downRevision: 'a299308852a7'},
  postgres: {revision: '7c453555d3a5', downRevision: '733ca1903976'},
  touches: {sqlite: ['flow_run_input']},
};

const WITH_FOREIGN_KEY = ({uuidDefault, nowDefault}) => ({
  table: 'flow_run_input',
  createSql: `CREATE TABLE "flow_run_input" (
	id CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	"key" VARCHAR NOT NULL, 
	value TEXT NOT NULL, 
	flow_run_id CHAR(36) NOT NULL, 
	CONSTRAINT pk_flow_run_input PRIMARY KEY (id), 
	CONSTRAINT uq_flow_run_input__flow_run_id_key UNIQUE (flow_run_id, "key"), 
	CONSTRAINT fk_flow_run_input__flow_run_id__flow_run FOREIGN KEY(flow_run_id) REFERENCES flow_run (id) ON DELETE cascade
)`,
  columns: ['id', 'created', 'updated', 'key', 'value', 'flow_run_id'],
  indexes: [
    'CREATE INDEX ix_flow_run_input__updated ON flow_run_input (updated)',
  ],
});

const WITHOUT_FOREIGN_KEY = ({uuidDefault, nowDefault}) => ({
  table: 'flow_run_input',
  createSql: `CREATE TABLE "flow_run_input" (
	id CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	"key" VARCHAR NOT NULL, 
	value TEXT NOT NULL, 
	flow_run_id CHAR(36) NOT NULL, 
	CONSTRAINT pk_flow_run_input PRIMARY KEY (id), 
	CONSTRAINT uq_flow_run_input__flow_run_id_key UNIQUE (flow_run_id, "key")
)`,
  columns: ['id', 'created', 'updated', 'key', 'value', 'flow_run_id'],
  indexes: [
    'CREATE INDEX ix_flow_run_input__updated ON flow_run_input (updated)',
  ],
});

async function rebuild(knex, kit, {columns, ...table}) {
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {...table, copy: kit.copyColumns(columns)}));
}

export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'sqlite') {
    await rebuild(knex, kit, WITH_FOREIGN_KEY(kit.sqliteBatchText));
    return;
  }
  // Like Prefect's, this fails on inputs whose flow run no longer exists.
  await knex.raw(`ALTER TABLE flow_run_input ADD CONSTRAINT fk_flow_run_input__flow_run_id__flow_run
    FOREIGN KEY (flow_run_id) REFERENCES flow_run (id) ON DELETE cascade`);
}

export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'sqlite') await rebuild(knex, kit, WITHOUT_FOREIGN_KEY(kit.sqliteBatchText));
  else await knex.raw('ALTER TABLE flow_run_input DROP CONSTRAINT fk_flow_run_input__flow_run_id__flow_run');
}
