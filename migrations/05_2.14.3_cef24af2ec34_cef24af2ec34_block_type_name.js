// Prefect's "Add block_type_name to block document" (2.14.3). On PostgreSQL the same script
// also builds the (block_type_name, name) index and backfills the name from block_type;
// on SQLite those come in the next step (22ef3915ccd8), so here SQLite only adds the column.
// Prefect builds the index CONCURRENTLY and backfills in autocommitted batches of 500;
// here both happen inside the step's transaction, with the same end result.

export const migration = {
  release: '2.14.3',
  description: 'Add block_document.block_type_name (PostgreSQL: index it and copy each block type name in)',
  sqlite: {revision: 'cef24af2ec34', downRevision: 'f3165ae0a213'},
  postgres: {revision: 'cef24af2ec34', downRevision: 'bfe653bbf62e'},
  touches: {sqlite: ['block_document'], postgres: ['block_document']},
  drops: {sqlite: {columns: ['block_document.block_type_name']}, postgres: {columns: ['block_document.block_type_name']}},
};

/** block_document as Prefect's SQLite downgrade rebuilds it, without the column. */
const BLOCK_DOCUMENT_BEFORE = ({uuidDefaultSpaced, nowDefault}) => ({
  table: 'block_document',
  createSql: `CREATE TABLE "block_document" (
	id CHAR(36) DEFAULT ${uuidDefaultSpaced} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	name VARCHAR NOT NULL, 
	data JSON DEFAULT '{}' NOT NULL, 
	block_schema_id CHAR(36) NOT NULL, 
	block_type_id CHAR(36) NOT NULL, 
	is_anonymous BOOLEAN DEFAULT '0' NOT NULL, 
	CONSTRAINT pk_block_document PRIMARY KEY (id), 
	CONSTRAINT fk_block_document__block_type_id__block_type FOREIGN KEY(block_type_id) REFERENCES block_type (id) ON DELETE CASCADE, 
	CONSTRAINT fk_block__block_schema_id__block_schema FOREIGN KEY(block_schema_id) REFERENCES block_schema (id) ON DELETE CASCADE
)`,
  columns: ['id', 'created', 'updated', 'name', 'data', 'block_schema_id', 'block_type_id', 'is_anonymous'],
  indexes: [
    'CREATE INDEX ix_block_document__is_anonymous ON block_document (is_anonymous)',
    'CREATE INDEX ix_block_document__name ON block_document (name)',
    'CREATE INDEX ix_block_document__updated ON block_document (updated)',
    'CREATE UNIQUE INDEX uq_block__type_id_name ON block_document (block_type_id, name)',
  ],
});

export async function up(knex, kit) {
  await knex.raw('ALTER TABLE block_document ADD COLUMN block_type_name VARCHAR');
  if (kit.dialectOf(knex) === 'sqlite') return;
  await knex.raw('CREATE INDEX IF NOT EXISTS ix_block_document__block_type_name__name ON block_document (block_type_name, name)');
  await knex.raw(`
    UPDATE block_document SET block_type_name = block_type.name
    FROM block_type
    WHERE block_document.block_type_id = block_type.id AND block_document.block_type_name IS NULL`);
}

export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    // Dropping the column takes its index with it.
    await knex.raw('ALTER TABLE block_document DROP COLUMN block_type_name');
    return;
  }
  const {columns, ...rebuild} = BLOCK_DOCUMENT_BEFORE(kit.sqliteBatchText);
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {...rebuild, copy: kit.copyColumns(columns)}));
}
