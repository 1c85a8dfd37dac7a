// Prefect 3.6.19: the scheduler counts each schedule's future runs (by created_by's id).
// Prefect builds the PostgreSQL index CONCURRENTLY outside a transaction; here it is built
// inside the step's transaction, same definition (migrations/README.md).

export const migration = {
  release: '3.6.19',
  description: "Add partial index ix_flow_run__schedule_id_scheduler on flow_run (deployment_id, created_by's id, next_scheduled_start_time) for scheduled auto-scheduled runs",
  sqlite: {revision: 'a1b2c3d4e5f7', downRevision: '9e83011d1f2a'},
  postgres: {revision: 'a1b2c3d4e5f6', downRevision: '9e83011d1f2a'},
};

const CREATE_INDEX = {
  sqlite: `CREATE INDEX IF NOT EXISTS ix_flow_run__schedule_id_scheduler
    ON flow_run (deployment_id, json_extract(created_by, '$.id'), next_scheduled_start_time)
    WHERE state_type = 'SCHEDULED' AND auto_scheduled = 1`,
  postgres: `CREATE INDEX IF NOT EXISTS ix_flow_run__schedule_id_scheduler
    ON flow_run (deployment_id, (created_by->>'id'), next_scheduled_start_time)
    WHERE state_type = 'SCHEDULED' AND auto_scheduled = true`,
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const dialect = kit.dialectOf(knex);
  if (dialect === 'postgres') await kit.dropInvalidPostgresIndex(knex, 'ix_flow_run__schedule_id_scheduler');
  await knex.raw(CREATE_INDEX[dialect]);
}

export async function down(knex) {
  await knex.raw('DROP INDEX IF EXISTS ix_flow_run__schedule_id_scheduler');
}
