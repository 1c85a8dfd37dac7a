// Prefect 2.17.0: flow runs remember the version of the deployment that created them.

export const migration = {
  release: '2.17.0',
  description: 'Add flow_run.deployment_version (indexed)',
  sqlite: {revision: '8644a9595a08', downRevision: '07ed05dfd4ec'},
  postgres: {revision: 'bd6efa529f03', downRevision: 'aeea5ee6f070'},
  drops: {
    sqlite: {columns: ['flow_run.deployment_version']},
    postgres: {columns: ['flow_run.deployment_version']},
  },
};

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.raw('ALTER TABLE flow_run ADD COLUMN deployment_version VARCHAR');
  await knex.raw('CREATE INDEX ix_flow_run__deployment_version ON flow_run (deployment_version)');
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.raw('DROP INDEX ix_flow_run__deployment_version');
  await knex.raw('ALTER TABLE flow_run DROP COLUMN deployment_version');
}
