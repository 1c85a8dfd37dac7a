// Prefect's "Add trgm index to block_document.name" (2.14.6): a case-insensitive name index
// on SQLite, a trigram GIN index on PostgreSQL (Prefect builds it CONCURRENTLY; here it is
// built inside the step's transaction, same definition).

export const migration = {
  release: '2.14.6',
  description: 'Index block_document.name for case-insensitive (SQLite) or trigram (PostgreSQL) search',
  sqlite: {revision: '9c493c02ca6d', downRevision: '22ef3915ccd8'},
  postgres: {revision: '9c493c02ca6d', downRevision: 'cef24af2ec34'},
};

export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('CREATE INDEX IF NOT EXISTS trgm_ix_block_document_name ON block_document USING gin (name gin_trgm_ops)');
  } else {
    await knex.raw('CREATE INDEX ix_block_document_name_case_insensitive on block_document (name COLLATE NOCASE)');
  }
}

export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') await knex.raw('DROP INDEX IF EXISTS trgm_ix_block_document_name');
  else await knex.raw('DROP INDEX ix_block_document_name_case_insensitive');
}
