// Prefect 2.17.0: events that arrive before the event they follow wait in
// automation_event_follower until their leader is seen.

export const migration = {
  release: '2.17.0',
  description: 'Create automation_event_follower (events waiting for the event they follow)',
  sqlite: {revision: 'cc510aec4689', downRevision: '8644a9595a08'},
  postgres: {revision: '916718e8330f', downRevision: 'bd6efa529f03'},
  drops: {
    sqlite: {tables: ['automation_event_follower']},
    postgres: {tables: ['automation_event_follower']},
  },
};

// The text alembic's CREATE TABLE leaves in sqlite_master.
const sqliteTable = ({uuidDefaultFresh, nowDefault}) => `CREATE TABLE automation_event_follower (
\tleader_event_id CHAR(36) NOT NULL, 
\tfollower_event_id CHAR(36) NOT NULL, 
\treceived DATETIME NOT NULL, 
\tfollower JSON NOT NULL, 
\tid CHAR(36) DEFAULT ${uuidDefaultFresh} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tCONSTRAINT pk_automation_event_follower PRIMARY KEY (id), 
\tCONSTRAINT uq_automation_event_follower__follower_event_id UNIQUE (follower_event_id)
)`;

const POSTGRES_TABLE = `CREATE TABLE automation_event_follower (
    leader_event_id UUID NOT NULL,
    follower_event_id UUID NOT NULL,
    received TIMESTAMP WITH TIME ZONE NOT NULL,
    follower JSONB NOT NULL,
    id UUID DEFAULT (GEN_RANDOM_UUID()) NOT NULL,
    created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT pk_automation_event_follower PRIMARY KEY (id),
    CONSTRAINT uq_automation_event_follower__follower_event_id UNIQUE (follower_event_id)
)`;

const INDEXES = [
  'CREATE INDEX ix_automation_event_follower__leader_event_id ON automation_event_follower (leader_event_id)',
  'CREATE INDEX ix_automation_event_follower__received ON automation_event_follower (received)',
  'CREATE INDEX ix_automation_event_follower__updated ON automation_event_follower (updated)',
];

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  await knex.raw(kit.dialectOf(knex) === 'sqlite' ? sqliteTable(kit.sqliteBatchText) : POSTGRES_TABLE);
  for (const index of INDEXES) await knex.raw(index);
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.raw('DROP TABLE automation_event_follower');
}
