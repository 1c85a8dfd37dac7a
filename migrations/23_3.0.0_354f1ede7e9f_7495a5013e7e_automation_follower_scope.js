// Prefect 3.0.0: a follower event waits per scope, so the same event may follow in several
// scopes: unique per (scope, follower_event_id) instead of per follower_event_id.

export const migration = {
  release: '3.0.0',
  description: 'automation_event_follower gains a required scope; unique per scope and follower',
  sqlite: {revision: '354f1ede7e9f', downRevision: '2ac65f1758c2'},
  postgres: {revision: '7495a5013e7e', downRevision: '94622c1663e8'},
  touches: {sqlite: ['automation_event_follower']},
  drops: {
    sqlite: {columns: ['automation_event_follower.scope']},
    postgres: {columns: ['automation_event_follower.scope']},
  },
};

/**
 * Prefect adds scope as a required column with no default, so its upgrade fails on any waiting
 * follower; this one says so before changing anything (the followers are short-lived: once the
 * server has processed or expired them the table is empty).
 * @param {import('knex').Knex} knex
 */
async function refuseWaitingFollowers(knex, kit) {
  const [{count}] = await knex('automation_event_follower').count({count: '*'});
  if (Number(count) > 0) {
    throw kit.refuse(
      `automation_event_follower holds ${count} waiting follower event(s), which Prefect's upgrade cannot give the new required scope; start the Prefect server of the current release so it processes them, stop it, and upgrade again`,
    );
  }
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  await refuseWaitingFollowers(knex, kit);
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('ALTER TABLE automation_event_follower ADD COLUMN scope VARCHAR NOT NULL');
    await knex.raw('ALTER TABLE automation_event_follower DROP CONSTRAINT uq_automation_event_follower__follower_event_id');
    await knex.raw('CREATE INDEX ix_automation_event_follower__scope ON automation_event_follower (scope)');
    await knex.raw('CREATE UNIQUE INDEX uq_follower_for_scope ON automation_event_follower (scope, follower_event_id)');
    return;
  }
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {
    table: 'automation_event_follower',
    createSql: followerTable(kit.sqliteBatchText, ['scope VARCHAR NOT NULL', 'CONSTRAINT pk_automation_event_follower PRIMARY KEY (id)']),
    copy: kit.copyColumns(COLUMNS),
    indexes: [
      ...INDEXES,
      'CREATE INDEX ix_automation_event_follower__scope ON automation_event_follower (scope)',
      'CREATE UNIQUE INDEX uq_follower_for_scope ON automation_event_follower (scope, follower_event_id)',
    ],
  }));
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    await knex.raw('DROP INDEX uq_follower_for_scope');
    await knex.raw('DROP INDEX ix_automation_event_follower__scope');
    await knex.raw('ALTER TABLE automation_event_follower ADD CONSTRAINT uq_automation_event_follower__follower_event_id UNIQUE (follower_event_id)');
    await knex.raw('ALTER TABLE automation_event_follower DROP COLUMN scope');
    return;
  }
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {
    table: 'automation_event_follower',
    createSql: followerTable(kit.sqliteBatchText, [
      'CONSTRAINT pk_automation_event_follower PRIMARY KEY (id)',
      'CONSTRAINT uq_automation_event_follower__follower_event_id UNIQUE (follower_event_id)',
    ]),
    copy: kit.copyColumns(COLUMNS),
    indexes: INDEXES,
  }));
}

/**
 * Prefect's downgrade makes follower_event_id unique again, and fails where one event follows
 * in more than one scope.
 * @param {import('knex').Knex} knex
 */
export async function downBlockers(knex) {
  const shared = await knex('automation_event_follower')
    .select('follower_event_id')
    .count({scopes: '*'})
    .groupBy('follower_event_id')
    .having(knex.raw('count(*) > 1'))
    .orderBy('follower_event_id');
  return shared.map(
    (row) => `automation_event_follower: event ${row.follower_event_id} follows in ${row.scopes} scopes, and the older schema allows it once`,
  );
}

/** The columns both versions share; scope comes last when present, as alembic appends it. */
const COLUMNS = ['leader_event_id', 'follower_event_id', 'received', 'follower', 'id', 'created', 'updated'];

const INDEXES = [
  'CREATE INDEX ix_automation_event_follower__leader_event_id ON automation_event_follower (leader_event_id)',
  'CREATE INDEX ix_automation_event_follower__received ON automation_event_follower (received)',
  'CREATE INDEX ix_automation_event_follower__updated ON automation_event_follower (updated)',
];

function followerTable({uuidDefault, nowDefault}, tail) {
  return `CREATE TABLE "automation_event_follower" (
\tleader_event_id CHAR(36) NOT NULL, 
\tfollower_event_id CHAR(36) NOT NULL, 
\treceived DATETIME NOT NULL, 
\tfollower JSON NOT NULL, 
\tid CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\t${tail.join(', \n\t')}
)`;
}
