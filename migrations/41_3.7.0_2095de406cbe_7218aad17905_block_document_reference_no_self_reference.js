// Prefect 3.7.0: a block document may not reference itself. Existing self-references are
// deleted first, as Prefect's script does, so the check can be added to any database.

export const migration = {
  release: '3.7.0',
  description: 'Delete block_document_reference rows that point at their own parent; add a CHECK forbidding them (SQLite: table rebuilt)',
  sqlite: {revision: '2095de406cbe', downRevision: '4dfa692e02a7'},
  postgres: {revision: '7218aad17905', downRevision: '09a9e091e578'},
  touches: {sqlite: ['block_document_reference'], postgres: ['block_document_reference']},
};

// Prefect's naming convention prefixes the already prefixed name once more; PostgreSQL's
// 63-character limit then makes SQLAlchemy shorten it with a hash.
const CHECK_NAME = {
  sqlite: 'ck_block_document_reference__ck_block_document_reference__no_self_reference',
  postgres: 'ck_block_document_reference__ck_block_document_referenc_824f',
};

const SQLITE_TABLE_WITH_CHECK = `CREATE TABLE "block_document_reference" (
	id CHAR(36) DEFAULT ((
        lower(hex(randomblob(4))) 
        || '-' 
        || lower(hex(randomblob(2))) 
        || '-4' 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || substr('89ab',abs(random()) % 4 + 1, 1) 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || lower(hex(randomblob(6)))
    )) NOT NULL, 
	created DATETIME DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')) NOT NULL, 
	updated DATETIME DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')) NOT NULL, 
	name VARCHAR NOT NULL, 
	parent_block_document_id CHAR(36) NOT NULL, 
	reference_block_document_id CHAR(36) NOT NULL, 
	CONSTRAINT pk_block_document_reference PRIMARY KEY (id), 
	CONSTRAINT fk_block_document_reference__parent_block_document_id__block_document FOREIGN KEY(parent_block_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
	CONSTRAINT fk_block_document_reference__reference_block_document_id__block_document FOREIGN KEY(reference_block_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
	CONSTRAINT ${CHECK_NAME.sqlite} CHECK (parent_block_document_id != reference_block_document_id)
)`;

// Prefect's downgrade rebuild lists the two foreign keys the other way round.
const SQLITE_TABLE_WITHOUT_CHECK = `CREATE TABLE "block_document_reference" (
	id CHAR(36) DEFAULT ((
        lower(hex(randomblob(4))) 
        || '-' 
        || lower(hex(randomblob(2))) 
        || '-4' 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || substr('89ab',abs(random()) % 4 + 1, 1) 
        || substr(lower(hex(randomblob(2))),2) 
        || '-' 
        || lower(hex(randomblob(6)))
    )) NOT NULL, 
	created DATETIME DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')) NOT NULL, 
	updated DATETIME DEFAULT (strftime('%Y-%m-%d %H:%M:%f000', 'now')) NOT NULL, 
	name VARCHAR NOT NULL, 
	parent_block_document_id CHAR(36) NOT NULL, 
	reference_block_document_id CHAR(36) NOT NULL, 
	CONSTRAINT pk_block_document_reference PRIMARY KEY (id), 
	CONSTRAINT fk_block_document_reference__reference_block_document_id__block_document FOREIGN KEY(reference_block_document_id) REFERENCES block_document (id) ON DELETE CASCADE, 
	CONSTRAINT fk_block_document_reference__parent_block_document_id__block_document FOREIGN KEY(parent_block_document_id) REFERENCES block_document (id) ON DELETE CASCADE
)`;

const COLUMNS = ['id', 'created', 'updated', 'name', 'parent_block_document_id', 'reference_block_document_id'];

const SQLITE_INDEXES = ['CREATE INDEX ix_block_document_reference__updated ON block_document_reference (updated)'];

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  await knex.raw('DELETE FROM block_document_reference WHERE parent_block_document_id = reference_block_document_id');
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw(`ALTER TABLE block_document_reference ADD CONSTRAINT ${CHECK_NAME.postgres} CHECK (parent_block_document_id != reference_block_document_id)`);
    return;
  }
  await kit.rebuildSqliteTable(knex, {
    table: 'block_document_reference',
    createSql: SQLITE_TABLE_WITH_CHECK,
    copy: kit.copyColumns(COLUMNS),
    indexes: SQLITE_INDEXES,
  });
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw(`ALTER TABLE block_document_reference DROP CONSTRAINT ${CHECK_NAME.postgres}`);
    return;
  }
  await kit.rebuildSqliteTable(knex, {
    table: 'block_document_reference',
    createSql: SQLITE_TABLE_WITHOUT_CHECK,
    copy: kit.copyColumns(COLUMNS),
    indexes: SQLITE_INDEXES,
  });
}
