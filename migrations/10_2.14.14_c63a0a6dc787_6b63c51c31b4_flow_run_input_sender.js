// Prefect's "Add `sender` to `FlowRunInput`" (2.14.14). SQLite adds the column in place;
// dropping it again is a batch rebuild.

export const migration = {
  release: '2.14.14',
  description: 'Add flow_run_input.sender',
  sqlite: {revision: 'c63a0a6dc787', downRevision: '35659cc49969'},
  postgres: {revision: '6b63c51c31b4', downRevision: '7c453555d3a5'},
  touches: {sqlite: ['flow_run_input']},
  drops: {sqlite: {columns: ['flow_run_input.sender']}, postgres: {columns: ['flow_run_input.sender']}},
};

/** flow_run_input as Prefect's SQLite downgrade rebuilds it, without the column. */
const FLOW_RUN_INPUT_BEFORE = ({uuidDefault, nowDefault}) => ({
  table: 'flow_run_input',
  createSql: `CREATE TABLE "flow_run_input" (
	id CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	"key" VARCHAR NOT NULL, 
	value TEXT NOT NULL, 
	flow_run_id CHAR(36) NOT NULL, 
	CONSTRAINT pk_flow_run_input PRIMARY KEY (id), 
	CONSTRAINT fk_flow_run_input__flow_run_id__flow_run FOREIGN KEY(flow_run_id) REFERENCES flow_run (id) ON DELETE CASCADE, 
	CONSTRAINT uq_flow_run_input__flow_run_id_key UNIQUE (flow_run_id, "key")
)`,
  columns: ['id', 'created', 'updated', 'key', 'value', 'flow_run_id'],
  indexes: [
    'CREATE INDEX ix_flow_run_input__updated ON flow_run_input (updated)',
  ],
});

export async function up(knex) {
  await knex.raw('ALTER TABLE flow_run_input ADD COLUMN sender VARCHAR');
}

export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE flow_run_input DROP COLUMN sender');
    return;
  }
  const {columns, ...rebuild} = FLOW_RUN_INPUT_BEFORE(kit.sqliteBatchText);
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {...rebuild, copy: kit.copyColumns(columns)}));
}
