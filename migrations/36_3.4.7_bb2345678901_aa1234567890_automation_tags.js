// Prefect 3.4.7: automations get tags.

export const migration = {
  release: '3.4.7',
  description: 'Add automation.tags (JSON list, default [])',
  sqlite: {revision: 'bb2345678901', downRevision: '3c841a1800a1'},
  postgres: {revision: 'aa1234567890', downRevision: '1c9bb7f78263'},
  drops: {sqlite: {columns: ['automation.tags']}, postgres: {columns: ['automation.tags']}},
};

const JSON_TYPE = {sqlite: 'JSON', postgres: 'JSONB'};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  await knex.raw(`ALTER TABLE automation ADD COLUMN tags ${JSON_TYPE[kit.dialectOf(knex)]} DEFAULT '[]' NOT NULL`);
}

// SQLite drops the column in place here (Prefect's plain drop_column, no batch rebuild).
export async function down(knex) {
  await knex.raw('ALTER TABLE automation DROP COLUMN tags');
}
