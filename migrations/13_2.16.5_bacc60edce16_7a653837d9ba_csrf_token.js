// Prefect's "Create csrf_token toble" (2.16.5): the tokens its server hands out when CSRF
// protection is on.

export const migration = {
  release: '2.16.5',
  description: 'Create csrf_token',
  sqlite: {revision: 'bacc60edce16', downRevision: '342220764f0b'},
  postgres: {revision: '7a653837d9ba', downRevision: '121699507574'},
  drops: {sqlite: {tables: ['csrf_token']}, postgres: {tables: ['csrf_token']}},
};

const SQLITE_TABLE = ({uuidDefaultFresh, nowDefault}) => `CREATE TABLE csrf_token (
	token VARCHAR NOT NULL, 
	client VARCHAR NOT NULL, 
	expiration DATETIME NOT NULL, 
	id CHAR(36) DEFAULT ${uuidDefaultFresh} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	CONSTRAINT pk_csrf_token PRIMARY KEY (id), 
	CONSTRAINT uq_csrf_token__client UNIQUE (client)
)`;

const POSTGRES_TABLE = `CREATE TABLE csrf_token (
  token VARCHAR NOT NULL,
  client VARCHAR NOT NULL,
  expiration TIMESTAMP WITH TIME ZONE NOT NULL,
  id UUID DEFAULT GEN_RANDOM_UUID() NOT NULL,
  created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
  updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
  CONSTRAINT pk_csrf_token PRIMARY KEY (id),
  CONSTRAINT uq_csrf_token__client UNIQUE (client)
)`;

export async function up(knex, kit) {
  await knex.raw(kit.dialectOf(knex) === 'postgres' ? POSTGRES_TABLE : SQLITE_TABLE(kit.sqliteBatchText));
  await knex.raw('CREATE INDEX ix_csrf_token__updated ON csrf_token (updated)');
}

export async function down(knex) {
  await knex.raw('DROP INDEX ix_csrf_token__updated');
  await knex.raw('DROP TABLE csrf_token');
}
