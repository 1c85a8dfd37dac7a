// Prefect's head (3.8.4, unreleased when this was written): flow runs filtered by deployment.
// Prefect builds the PostgreSQL index CONCURRENTLY outside a transaction (clearing an INVALID
// leftover first); here the same happens inside the step's transaction (migrations/README.md).

export const migration = {
  release: '3.8.4',
  description: 'Add index ix_flow_run__deployment_id on flow_run (deployment_id)',
  sqlite: {revision: 'f416ea180ae1', downRevision: '14806cb26270'},
  postgres: {revision: '9e9dadc36797', downRevision: '50737cdaee36'},
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') await kit.dropInvalidPostgresIndex(knex, 'ix_flow_run__deployment_id');
  await knex.raw('CREATE INDEX IF NOT EXISTS ix_flow_run__deployment_id ON flow_run (deployment_id)');
}

export async function down(knex) {
  await knex.raw('DROP INDEX IF EXISTS ix_flow_run__deployment_id');
}
