// Prefect's "Make flow_run_id nullable on task_run and log tables" (2.13.4), so task runs
// and their logs can exist outside a flow run. On SQLite each table is rebuilt (alembic batch
// mode), which re-creates its indexes without their DESC/ASC/COLLATE: Prefect's quirk, kept.
// Going back, Prefect's downgrade fails on any row without a flow run, so those block it.

export const migration = {
  release: '2.13.4',
  description: 'Make task_run.flow_run_id and log.flow_run_id nullable',
  sqlite: {revision: '05ea6f882b1d', downRevision: '8167af8df781'},
  postgres: {revision: '05ea6f882b1d', downRevision: '4e9a6f93eb6c'},
  touches: {sqlite: ['task_run', 'log']},
};

const TASK_RUN = ({uuidDefaultSpaced, nowDefault}) => ({
  table: 'task_run',
  createSql: `CREATE TABLE "task_run" (
	id CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	name VARCHAR NOT NULL, 
	state_type VARCHAR(9), 
	run_count INTEGER DEFAULT '0' NOT NULL, 
	expected_start_time DATETIME, 
	next_scheduled_start_time DATETIME, 
	start_time DATETIME, 
	end_time DATETIME, 
	total_run_time DATETIME DEFAULT '0' NOT NULL, 
	task_key VARCHAR NOT NULL, 
	dynamic_key VARCHAR NOT NULL, 
	cache_key VARCHAR, 
	cache_expiration DATETIME, 
	task_version VARCHAR, 
	empirical_policy JSON DEFAULT '{}' NOT NULL, 
	task_inputs JSON DEFAULT '{}' NOT NULL, 
	tags JSON DEFAULT '[]' NOT NULL, 
	flow_run_id CHAR(36), 
	state_id CHAR(36), 
	state_name VARCHAR, 
	state_timestamp DATETIME, 
	flow_run_run_count INTEGER DEFAULT '0' NOT NULL, 
	CONSTRAINT pk_task_run PRIMARY KEY (id), 
	CONSTRAINT fk_task_run__state_id__task_run_state FOREIGN KEY(state_id) REFERENCES task_run_state (id) ON DELETE SET NULL, 
	CONSTRAINT fk_task_run__flow_run_id__flow_run FOREIGN KEY(flow_run_id) REFERENCES flow_run (id) ON DELETE CASCADE
)`,
  columns: ['id', 'created', 'updated', 'name', 'state_type', 'run_count', 'expected_start_time', 'next_scheduled_start_time', 'start_time', 'end_time', 'total_run_time', 'task_key', 'dynamic_key', 'cache_key', 'cache_expiration', 'task_version', 'empirical_policy', 'task_inputs', 'tags', 'flow_run_id', 'state_id', 'state_name', 'state_timestamp', 'flow_run_run_count'],
  indexes: [
    'CREATE INDEX ix_task_run__end_time_desc ON task_run (end_time)',
    'CREATE INDEX ix_task_run__expected_start_time_desc ON task_run (expected_start_time)',
    'CREATE INDEX ix_task_run__flow_run_id ON task_run (flow_run_id)',
    'CREATE INDEX ix_task_run__name ON task_run (name)',
    'CREATE INDEX ix_task_run__next_scheduled_start_time_asc ON task_run (next_scheduled_start_time)',
    'CREATE INDEX ix_task_run__start_time ON task_run (start_time)',
    'CREATE INDEX ix_task_run__state_id ON task_run (state_id)',
    'CREATE INDEX ix_task_run__state_name ON task_run (state_name)',
    'CREATE INDEX ix_task_run__state_timestamp ON task_run (state_timestamp)',
    'CREATE INDEX ix_task_run__state_type ON task_run (state_type)',
    'CREATE INDEX ix_task_run__updated ON task_run (updated)',
    'CREATE INDEX ix_task_run_name_case_insensitive ON task_run (name)',
    'CREATE UNIQUE INDEX uq_task_run__flow_run_id_task_key_dynamic_key ON task_run (flow_run_id, task_key, dynamic_key)',
  ],
});

const LOG = ({uuidDefaultSpaced, nowDefault}) => ({
  table: 'log',
  createSql: `CREATE TABLE "log" (
	id CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	name VARCHAR NOT NULL, 
	level SMALLINT NOT NULL, 
	flow_run_id CHAR(36), 
	task_run_id CHAR(36), 
	message TEXT NOT NULL, 
	timestamp DATETIME NOT NULL, 
	CONSTRAINT pk_log PRIMARY KEY (id)
)`,
  columns: ['id', 'created', 'updated', 'name', 'level', 'flow_run_id', 'task_run_id', 'message', 'timestamp'],
  indexes: [
    'CREATE INDEX ix_log__flow_run_id ON log (flow_run_id)',
    'CREATE INDEX ix_log__flow_run_id_timestamp ON log (flow_run_id, timestamp)',
    'CREATE INDEX ix_log__level ON log (level)',
    'CREATE INDEX ix_log__task_run_id ON log (task_run_id)',
    'CREATE INDEX ix_log__timestamp ON log (timestamp)',
    'CREATE INDEX ix_log__updated ON log (updated)',
  ],
});

const NULLABLE_COLUMN = 'flow_run_id CHAR(36), ';
const REQUIRED_COLUMN = 'flow_run_id CHAR(36) NOT NULL, ';

/** Rows listed by name before the rest are summed up in one line. */
const LISTED_ROWS = 100;

async function rebuild(knex, kit, {columns, createSql, ...table}, flowRunIdRequired) {
  const text = flowRunIdRequired ? createSql.replace(NULLABLE_COLUMN, REQUIRED_COLUMN) : createSql;
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {...table, createSql: text, copy: kit.copyColumns(columns)}));
}

export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE task_run ALTER COLUMN flow_run_id DROP NOT NULL');
    await knex.raw('ALTER TABLE log ALTER COLUMN flow_run_id DROP NOT NULL');
    return;
  }
  await rebuild(knex, kit, TASK_RUN(kit.sqliteBatchText), false);
  await rebuild(knex, kit, LOG(kit.sqliteBatchText), false);
}

export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE task_run ALTER COLUMN flow_run_id SET NOT NULL');
    await knex.raw('ALTER TABLE log ALTER COLUMN flow_run_id SET NOT NULL');
    return;
  }
  await rebuild(knex, kit, TASK_RUN(kit.sqliteBatchText), true);
  await rebuild(knex, kit, LOG(kit.sqliteBatchText), true);
}

/** Task runs and logs without a flow run: the old schema has no place for them. */
export async function downBlockers(knex) {
  const lines = [];
  for (const [table, noun] of [['task_run', 'task run'], ['log', 'log']]) {
    const [{count}] = await knex(table).whereNull('flow_run_id').count({count: '*'});
    const total = Number(count);
    if (total === 0) continue;
    const rows = await knex(table).select('id', 'name').whereNull('flow_run_id').orderBy('id').limit(LISTED_ROWS);
    for (const row of rows) lines.push(`${noun} ${row.id} (${row.name}) has no flow_run_id; the schema before ${migration.release} requires one`);
    if (total > rows.length) lines.push(`… and ${total - rows.length} more ${table} rows without a flow_run_id`);
  }
  return lines;
}
