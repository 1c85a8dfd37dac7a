// Prefect 3.2.0: a schedule carries its own parameters (merged over the deployment's).

export const migration = {
  release: '3.2.0',
  description: 'Add deployment_schedule.parameters (JSON, default {})',
  sqlite: {revision: '67f886da208e', downRevision: 'a49711513ad4'},
  postgres: {revision: 'c163acd7e8e3', downRevision: '5d03c01be85e'},
  drops: {sqlite: {columns: ['deployment_schedule.parameters']}, postgres: {columns: ['deployment_schedule.parameters']}},
};

const JSON_TYPE = {sqlite: 'JSON', postgres: 'JSONB'};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  await knex.raw(`ALTER TABLE deployment_schedule ADD COLUMN parameters ${JSON_TYPE[kit.dialectOf(knex)]} DEFAULT '{}' NOT NULL`);
}

// SQLite drops the column in place here (Prefect's plain drop_column, no batch rebuild).
export async function down(knex) {
  await knex.raw('ALTER TABLE deployment_schedule DROP COLUMN parameters');
}
