// Prefect 3.8.0: event retention deletes event_resources rows by their event's id.
// Prefect builds the PostgreSQL index CONCURRENTLY outside a transaction (clearing an INVALID
// leftover first); here the same happens inside the step's transaction (migrations/README.md).

export const migration = {
  release: '3.8.0',
  description: 'Add index ix_event_resources__event_id on event_resources (event_id)',
  sqlite: {revision: '14806cb26270', downRevision: '79e7a60e43d8'},
  postgres: {revision: '50737cdaee36', downRevision: 'bad1e352c597'},
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') await kit.dropInvalidPostgresIndex(knex, 'ix_event_resources__event_id');
  await knex.raw('CREATE INDEX IF NOT EXISTS ix_event_resources__event_id ON event_resources (event_id)');
}

export async function down(knex) {
  await knex.raw('DROP INDEX IF EXISTS ix_event_resources__event_id');
}
