// Knex migration: Prefect's schema at its head revision, generated from prefectdb's schema
// catalogue (src/schema) and stamped into alembic_version, so a Prefect server of that
// revision takes the database as its own. `kit` is src/db/migration-kit.ts.

/** @param {import('knex').Knex} knex @param {import('../../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const dialect = kit.dialectOf(knex);
  for (const statement of kit.headSchemaStatements(dialect)) await knex.raw(statement);
  await knex('alembic_version').insert({version_num: kit.headRevision(dialect)});
}

/** Drops what up() created; pg_trgm stays, as other schemas may use it. */
export async function down(knex, kit) {
  const dialect = kit.dialectOf(knex);
  for (const table of kit.tableNames()) {
    await knex.raw(dialect === 'postgres' ? 'DROP TABLE ?? CASCADE' : 'DROP TABLE ??', [table]);
  }
  if (dialect === 'postgres') {
    for (const type of kit.enumNames()) await knex.raw('DROP TYPE ??', [type]);
  }
}
