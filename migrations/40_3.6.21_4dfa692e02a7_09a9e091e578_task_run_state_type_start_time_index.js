// Prefect 3.6.21: task runs filtered by state type and ordered by start time.
// Prefect builds the PostgreSQL index CONCURRENTLY outside a transaction; here it is built
// inside the step's transaction, same definition (migrations/README.md).

export const migration = {
  release: '3.6.21',
  description: 'Add index ix_task_run__state_type_start_time on task_run (state_type, start_time)',
  sqlite: {revision: '4dfa692e02a7', downRevision: 'a1b2c3d4e5f7'},
  postgres: {revision: '09a9e091e578', downRevision: 'a1b2c3d4e5f6'},
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') await kit.dropInvalidPostgresIndex(knex, 'ix_task_run__state_type_start_time');
  await knex.raw('CREATE INDEX IF NOT EXISTS ix_task_run__state_type_start_time ON task_run (state_type, start_time)');
}

export async function down(knex) {
  await knex.raw('DROP INDEX IF EXISTS ix_task_run__state_type_start_time');
}
