// Prefect 3.4.7: task_run.state_id no longer references task_run_state, so a task run's
// current state can be written before (or without) its history row.

export const migration = {
  release: '3.4.7',
  description: 'Drop the foreign key task_run.state_id -> task_run_state (SQLite: task_run rebuilt)',
  sqlite: {revision: '8bb517bae6f9', downRevision: 'bb2345678901'},
  postgres: {revision: '3b86c5ea017a', downRevision: 'aa1234567890'},
  touches: {sqlite: ['task_run']},
};

// The table as Prefect's batch rebuild leaves it, each way: columns one per line (labels,
// once appended, gets its own), and on the way down the re-added key comes last.
const SQLITE_TABLE_WITHOUT_STATE_KEY = `CREATE TABLE "task_run" (
	id CHAR(36) DEFAULT ((
        lower(hex(randomblob(4))) 
        || '-' 
        || lower(hex(randomblob(2))) 
        || '-4' 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || substr('89ab',abs(random()) % 4 + 1, 1) 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || lower(hex(randomblob(6)))
    )) NOT NULL, 
	created DATETIME DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')) NOT NULL, 
	updated DATETIME DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')) NOT NULL, 
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
	labels JSON, 
	CONSTRAINT pk_task_run PRIMARY KEY (id), 
	CONSTRAINT fk_task_run__flow_run_id__flow_run FOREIGN KEY(flow_run_id) REFERENCES flow_run (id) ON DELETE CASCADE
)`;

const SQLITE_TABLE_WITH_STATE_KEY = `CREATE TABLE "task_run" (
	id CHAR(36) DEFAULT ((
        lower(hex(randomblob(4))) 
        || '-' 
        || lower(hex(randomblob(2))) 
        || '-4' 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || substr('89ab',abs(random()) % 4 + 1, 1) 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || lower(hex(randomblob(6)))
    )) NOT NULL, 
	created DATETIME DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')) NOT NULL, 
	updated DATETIME DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')) NOT NULL, 
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
	labels JSON, 
	CONSTRAINT pk_task_run PRIMARY KEY (id), 
	CONSTRAINT fk_task_run__flow_run_id__flow_run FOREIGN KEY(flow_run_id) REFERENCES flow_run (id) ON DELETE CASCADE, 
	CONSTRAINT fk_task_run__state_id__task_run_state FOREIGN KEY(state_id) REFERENCES task_run_state (id) ON DELETE SET NULL
)`;

const COLUMNS = [
  'id', 'created', 'updated', 'name', 'state_type', 'run_count', 'expected_start_time',
  'next_scheduled_start_time', 'start_time', 'end_time', 'total_run_time', 'task_key',
  'dynamic_key', 'cache_key', 'cache_expiration', 'task_version', 'empirical_policy',
  'task_inputs', 'tags', 'flow_run_id', 'state_id', 'state_name', 'state_timestamp',
  'flow_run_run_count', 'labels',
];

// Alembic re-creates the indexes in the order it reflected them, which differs each way.
const SQLITE_INDEXES_UP = [
  'CREATE INDEX ix_task_run__expected_start_time_desc ON task_run (expected_start_time)',
  'CREATE INDEX ix_task_run__flow_run_id ON task_run (flow_run_id)',
  'CREATE INDEX ix_task_run__state_name ON task_run (state_name)',
  'CREATE INDEX ix_task_run__start_time ON task_run (start_time)',
  'CREATE INDEX ix_task_run__state_type ON task_run (state_type)',
  'CREATE INDEX ix_task_run__next_scheduled_start_time_asc ON task_run (next_scheduled_start_time)',
  'CREATE INDEX ix_task_run__state_id ON task_run (state_id)',
  'CREATE INDEX ix_task_run__state_timestamp ON task_run (state_timestamp)',
  'CREATE INDEX ix_task_run_name_case_insensitive ON task_run (name)',
  'CREATE INDEX ix_task_run__updated ON task_run (updated)',
  'CREATE UNIQUE INDEX uq_task_run__flow_run_id_task_key_dynamic_key ON task_run (flow_run_id, task_key, dynamic_key)',
  'CREATE INDEX ix_task_run__name ON task_run (name)',
  'CREATE INDEX ix_task_run__end_time_desc ON task_run (end_time)',
];

const SQLITE_INDEXES_DOWN = [
  'CREATE INDEX ix_task_run_name_case_insensitive ON task_run (name)',
  'CREATE INDEX ix_task_run__state_timestamp ON task_run (state_timestamp)',
  'CREATE UNIQUE INDEX uq_task_run__flow_run_id_task_key_dynamic_key ON task_run (flow_run_id, task_key, dynamic_key)',
  'CREATE INDEX ix_task_run__expected_start_time_desc ON task_run (expected_start_time)',
  'CREATE INDEX ix_task_run__end_time_desc ON task_run (end_time)',
  'CREATE INDEX ix_task_run__flow_run_id ON task_run (flow_run_id)',
  'CREATE INDEX ix_task_run__name ON task_run (name)',
  'CREATE INDEX ix_task_run__state_type ON task_run (state_type)',
  'CREATE INDEX ix_task_run__updated ON task_run (updated)',
  'CREATE INDEX ix_task_run__state_name ON task_run (state_name)',
  'CREATE INDEX ix_task_run__state_id ON task_run (state_id)',
  'CREATE INDEX ix_task_run__start_time ON task_run (start_time)',
  'CREATE INDEX ix_task_run__next_scheduled_start_time_asc ON task_run (next_scheduled_start_time)',
];

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE task_run DROP CONSTRAINT fk_task_run__state_id__task_run_state');
    return;
  }
  await kit.rebuildSqliteTable(knex, {
    table: 'task_run',
    createSql: SQLITE_TABLE_WITHOUT_STATE_KEY,
    copy: kit.copyColumns(COLUMNS),
    indexes: SQLITE_INDEXES_UP,
  });
}

/**
 * Without the key, task runs may point at states that do not exist; as Prefect's downgrade
 * does, those references are cleared first so the key can come back.
 * @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit
 */
export async function down(knex, kit) {
  await knex.raw(`UPDATE task_run SET state_id = NULL
    WHERE state_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM task_run_state WHERE task_run_state.id = task_run.state_id)`);
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw(
      'ALTER TABLE task_run ADD CONSTRAINT fk_task_run__state_id__task_run_state FOREIGN KEY (state_id) REFERENCES task_run_state (id) ON DELETE SET NULL',
    );
    return;
  }
  await kit.rebuildSqliteTable(knex, {
    table: 'task_run',
    createSql: SQLITE_TABLE_WITH_STATE_KEY,
    copy: kit.copyColumns(COLUMNS),
    indexes: SQLITE_INDEXES_DOWN,
  });
}
