// Prefect 3.3.4, PostgreSQL only: event lookups by related resources move to GIN indexes,
// and the (event, related, occurred) btree gives way to (event, occurred).

export const migration = {
  release: '3.3.4',
  description: 'Replace the btree indexes on events.related and related_resource_ids with GIN indexes; index events (event, occurred)',
  postgres: {revision: '7a73514ca2d6', downRevision: '06b7c293bc69'},
};

export async function up(knex) {
  await knex.raw('DROP INDEX ix_events__event_related_occurred');
  await knex.raw('DROP INDEX ix_events__related_resource_ids');
  await knex.raw('CREATE INDEX ix_events__related_gin ON events USING gin (related)');
  await knex.raw('CREATE INDEX ix_events__event_occurred ON events (event, occurred)');
  await knex.raw('CREATE INDEX ix_events__related_resource_ids_gin ON events USING gin (related_resource_ids)');
}

export async function down(knex) {
  await knex.raw('DROP INDEX ix_events__related_gin');
  await knex.raw('DROP INDEX ix_events__event_occurred');
  await knex.raw('DROP INDEX ix_events__related_resource_ids_gin');
  await knex.raw('CREATE INDEX ix_events__event_related_occurred ON events (event, related, occurred)');
  await knex.raw('CREATE INDEX ix_events__related_resource_ids ON events (related_resource_ids)');
}
