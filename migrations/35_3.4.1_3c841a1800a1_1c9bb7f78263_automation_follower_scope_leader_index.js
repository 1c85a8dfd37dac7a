// Prefect 3.4.1: the automation event follower looks events up by scope and leader.

export const migration = {
  release: '3.4.1',
  description: 'Add index ix_ae_follower_scope_leader on automation_event_follower (scope, leader_event_id)',
  sqlite: {revision: '3c841a1800a1', downRevision: '7655f31c5157'},
  postgres: {revision: '1c9bb7f78263', downRevision: '4160a4841eed'},
};

export async function up(knex) {
  await knex.raw('CREATE INDEX ix_ae_follower_scope_leader ON automation_event_follower (scope, leader_event_id)');
}

export async function down(knex) {
  await knex.raw('DROP INDEX ix_ae_follower_scope_leader');
}
