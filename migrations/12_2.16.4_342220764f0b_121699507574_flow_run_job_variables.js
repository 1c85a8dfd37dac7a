// Prefect's "Add job_variables column to flow-runs" (2.16.4). Both dialects add and drop
// the column in place (no batch rebuild on SQLite), so existing runs read '{}'.

export const migration = {
  release: '2.16.4',
  description: "Add flow_run.job_variables ('{}' by default)",
  sqlite: {revision: '342220764f0b', downRevision: '265eb1a2da4c'},
  postgres: {revision: '121699507574', downRevision: '8cf4d4933848'},
  drops: {sqlite: {columns: ['flow_run.job_variables']}, postgres: {columns: ['flow_run.job_variables']}},
};

export async function up(knex, kit) {
  const type = kit.dialectOf(knex) === 'postgres' ? 'JSONB' : 'JSON';
  await knex.raw(`ALTER TABLE flow_run ADD COLUMN job_variables ${type} DEFAULT '{}'`);
}

export async function down(knex) {
  await knex.raw('ALTER TABLE flow_run DROP COLUMN job_variables');
}
