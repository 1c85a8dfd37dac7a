// Prefect 2.13.0: where prefectdb's copy of Prefect's chain begins. Prefect's own scripts
// before this revision are not repeated; this step builds the schema they had left, object for
// object (migrations/baseline/*.sql were read off databases Prefect's own migrations built).
// Older databases are taken to 2.13.0 by Prefect's upgrade first.

export const migration = {
  release: '2.13.0',
  description: "Prefect's schema as of 2.13.0 (the start of the chain)",
  sqlite: {revision: 'c2d001b7dd06', downRevision: null},
  postgres: {revision: '50f8c182c3ca', downRevision: null},
};

const SCHEMA_FILES = {sqlite: 'baseline/sqlite-c2d001b7dd06.sql', postgres: 'baseline/postgresql-50f8c182c3ca.sql'};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  for (const statement of kit.sqlFileStatements(SCHEMA_FILES[kit.dialectOf(knex)])) await knex.raw(statement);
}

/** Back to an empty database (pg_trgm stays, as other schemas may use it). */
export async function down(knex, kit) {
  const dialect = kit.dialectOf(knex);
  if (dialect === 'sqlite') {
    const tables = await knex.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'");
    for (const {name} of tables) await knex.raw('DROP TABLE ??', [name]);
    return;
  }
  const tables = await knex.raw("select tablename from pg_tables where schemaname = current_schema()");
  for (const {tablename} of tables.rows) await knex.raw('DROP TABLE IF EXISTS ?? CASCADE', [tablename]);
  const types = await knex.raw(
    "select t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = current_schema() and t.typtype = 'e'",
  );
  for (const {typname} of types.rows) await knex.raw('DROP TYPE ??', [typname]);
}
