// Prefect's SQLite-only "Index and backfill block_type_name" (2.14.3): what PostgreSQL's
// cef24af2ec34 does in one script, SQLite does in two. Prefect backfills in autocommitted
// batches of 500; here one UPDATE inside the step's transaction leaves the same rows.

export const migration = {
  release: '2.14.3',
  description: 'Index block_document (block_type_name, name) and copy each block type name in',
  sqlite: {revision: '22ef3915ccd8', downRevision: 'cef24af2ec34'},
  touches: {sqlite: ['block_document']},
};

export async function up(knex) {
  await knex.raw('CREATE INDEX ix_block_document__block_type_name_name ON block_document (block_type_name, name)');
  await knex.raw(`
    UPDATE block_document
    SET block_type_name = (SELECT name FROM block_type WHERE block_type.id = block_document.block_type_id)
    WHERE block_type_name IS NULL`);
}

/** Prefect's downgrade drops the index and leaves the names in place. */
export async function down(knex) {
  await knex.raw('DROP INDEX ix_block_document__block_type_name_name');
}
