// Prefect 3.2.0: schedules get a slug, unique within their deployment where set.
// Prefect builds the PostgreSQL indexes CONCURRENTLY outside a transaction; here they are
// built inside the step's transaction, same definitions (migrations/README.md).

export const migration = {
  release: '3.2.0',
  description: 'Add deployment_schedule.slug, indexed, unique per deployment where set',
  sqlite: {revision: '07ecde74d74d', downRevision: '67f886da208e'},
  postgres: {revision: 'a03d00b8e275', downRevision: 'c163acd7e8e3'},
  drops: {sqlite: {columns: ['deployment_schedule.slug']}, postgres: {columns: ['deployment_schedule.slug']}},
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const dialect = kit.dialectOf(knex);
  await knex.raw('ALTER TABLE deployment_schedule ADD COLUMN slug VARCHAR');
  if (dialect === 'postgres') await kit.dropInvalidPostgresIndex(knex, 'ix_deployment_schedule__slug');
  await knex.raw('CREATE INDEX IF NOT EXISTS ix_deployment_schedule__slug ON deployment_schedule (slug)');
  if (dialect === 'postgres') await kit.dropInvalidPostgresIndex(knex, 'ix_deployment_schedule__deployment_id__slug');
  await knex.raw(
    'CREATE UNIQUE INDEX IF NOT EXISTS ix_deployment_schedule__deployment_id__slug ON deployment_schedule (deployment_id, slug) WHERE slug IS NOT NULL',
  );
}

// On SQLite Prefect drops the column in batch mode, so the table is rebuilt: every column
// then gets its own line in the stored text, and only the two older indexes come back.
const SQLITE_TABLE_WITHOUT_SLUG = `CREATE TABLE "deployment_schedule" (
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
	schedule JSON NOT NULL, 
	active BOOLEAN NOT NULL, 
	deployment_id CHAR(36) NOT NULL, 
	max_scheduled_runs INTEGER, 
	parameters JSON DEFAULT '{}' NOT NULL, 
	CONSTRAINT pk_deployment_schedule PRIMARY KEY (id), 
	CONSTRAINT fk_deployment_schedule__deployment_id__deployment FOREIGN KEY(deployment_id) REFERENCES deployment (id) ON DELETE CASCADE
)`;

const KEPT_COLUMNS = ['id', 'created', 'updated', 'schedule', 'active', 'deployment_id', 'max_scheduled_runs', 'parameters'];

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  await knex.raw('DROP INDEX IF EXISTS ix_deployment_schedule__deployment_id__slug');
  await knex.raw('DROP INDEX IF EXISTS ix_deployment_schedule__slug');
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE deployment_schedule DROP COLUMN slug');
    return;
  }
  await kit.rebuildSqliteTable(knex, {
    table: 'deployment_schedule',
    createSql: SQLITE_TABLE_WITHOUT_SLUG,
    copy: kit.copyColumns(KEPT_COLUMNS),
    indexes: [
      'CREATE INDEX ix_deployment_schedule__updated ON deployment_schedule (updated)',
      'CREATE INDEX ix_deployment_schedule__deployment_id ON deployment_schedule (deployment_id)',
    ],
  });
}
