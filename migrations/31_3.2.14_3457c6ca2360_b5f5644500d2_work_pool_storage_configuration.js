// Prefect 3.2.14: a work pool can say where results and bundles are stored.

export const migration = {
  release: '3.2.14',
  description: 'Add work_pool.storage_configuration (JSON, default {})',
  sqlite: {revision: '3457c6ca2360', downRevision: '07ecde74d74d'},
  postgres: {revision: 'b5f5644500d2', downRevision: 'a03d00b8e275'},
  drops: {sqlite: {columns: ['work_pool.storage_configuration']}, postgres: {columns: ['work_pool.storage_configuration']}},
};

const JSON_TYPE = {sqlite: 'JSON', postgres: 'JSONB'};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  await knex.raw(`ALTER TABLE work_pool ADD COLUMN storage_configuration ${JSON_TYPE[kit.dialectOf(knex)]} DEFAULT '{}' NOT NULL`);
}

// Prefect's SQLite downgrade drops the column in batch mode: the table is rebuilt, columns
// each on their own line and the unique constraint after the foreign key.
const SQLITE_TABLE_WITHOUT_STORAGE = `CREATE TABLE "work_pool" (
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
	description VARCHAR, 
	type VARCHAR NOT NULL, 
	base_job_template JSON DEFAULT '{}' NOT NULL, 
	is_paused BOOLEAN DEFAULT '0' NOT NULL, 
	concurrency_limit INTEGER, 
	default_queue_id CHAR(36), 
	status VARCHAR(9) DEFAULT 'NOT_READY' NOT NULL, 
	last_transitioned_status_at DATETIME, 
	last_status_event_id CHAR(36), 
	CONSTRAINT pk_work_pool PRIMARY KEY (id), 
	CONSTRAINT fk_work_pool__default_queue_id__work_queue FOREIGN KEY(default_queue_id) REFERENCES work_queue (id) ON DELETE RESTRICT, 
	CONSTRAINT uq_work_pool__name UNIQUE (name)
)`;

const KEPT_COLUMNS = [
  'id', 'created', 'updated', 'name', 'description', 'type', 'base_job_template', 'is_paused',
  'concurrency_limit', 'default_queue_id', 'status', 'last_transitioned_status_at', 'last_status_event_id',
];

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE work_pool DROP COLUMN storage_configuration');
    return;
  }
  await kit.rebuildSqliteTable(knex, {
    table: 'work_pool',
    createSql: SQLITE_TABLE_WITHOUT_STORAGE,
    copy: kit.copyColumns(KEPT_COLUMNS),
    indexes: ['CREATE INDEX ix_work_pool__type ON work_pool (type)', 'CREATE INDEX ix_work_pool__updated ON work_pool (updated)'],
  });
}
