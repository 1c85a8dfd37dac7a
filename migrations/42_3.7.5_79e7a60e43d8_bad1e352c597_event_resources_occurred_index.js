// Prefect 3.7.5: event retention deletes event_resources rows by age.
// Prefect builds the PostgreSQL index CONCURRENTLY outside a transaction; here it is built
// inside the step's transaction, same definition (migrations/README.md).

export const migration = {
  release: '3.7.5',
  description: 'Add index ix_event_resources__occurred on event_resources (occurred)',
  sqlite: {revision: '79e7a60e43d8', downRevision: '2095de406cbe'},
  postgres: {revision: 'bad1e352c597', downRevision: '7218aad17905'},
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') await kit.dropInvalidPostgresIndex(knex, 'ix_event_resources__occurred');
  await knex.raw('CREATE INDEX IF NOT EXISTS ix_event_resources__occurred ON event_resources (occurred)');
}

export async function down(knex) {
  await knex.raw('DROP INDEX IF EXISTS ix_event_resources__occurred');
}
