// Prefect 2.17.0: an automation's buckets are kept per trigger (composite triggers), so the
// trigger joins the bucket's unique key and becomes required; triggered_at may be empty.

export const migration = {
  release: '2.17.0',
  description: 'automation_bucket: trigger_id required and part of the unique key; triggered_at optional',
  sqlite: {revision: '2b6c2b548f95', downRevision: 'cc510aec4689'},
  postgres: {revision: '954db7517015', downRevision: '916718e8330f'},
  touches: {sqlite: ['automation_bucket']},
};

const COLUMNS = ['automation_id', 'trigger_id', 'bucketing_key', 'last_event', 'start', 'end', 'count', 'last_operation', 'triggered_at', 'id', 'created', 'updated'];

/** automation_bucket as Prefect's batch rebuild writes it; the two columns this step changes are passed in. */
function sqliteTable(kit, triggerId, triggeredAt) {
  return `CREATE TABLE "automation_bucket" (
\tautomation_id CHAR(36) NOT NULL, 
\t${triggerId}, 
\tbucketing_key JSON NOT NULL, 
\tlast_event JSON, 
\tstart DATETIME NOT NULL, 
\t"end" DATETIME NOT NULL, 
\tcount INTEGER NOT NULL, 
\tlast_operation VARCHAR, 
\t${triggeredAt}, 
\tid CHAR(36) DEFAULT ${kit.sqliteBatchText.uuidDefault} NOT NULL, 
\tcreated DATETIME DEFAULT ${kit.sqliteBatchText.nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${kit.sqliteBatchText.nowDefault} NOT NULL, 
\tCONSTRAINT pk_automation_bucket PRIMARY KEY (id), 
\tCONSTRAINT fk_automation_bucket__automation_id__automation FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE CASCADE
)`;
}

const KEPT_INDEXES = [
  'CREATE INDEX ix_automation_bucket__automation_id__end ON automation_bucket (automation_id, "end")',
  'CREATE INDEX ix_automation_bucket__updated ON automation_bucket (updated)',
];
const KEY_WITH_TRIGGER =
  'CREATE UNIQUE INDEX uq_automation_bucket__automation_id__trigger_id__bucketing_key ON automation_bucket (automation_id, trigger_id, bucketing_key)';
const KEY_WITHOUT_TRIGGER = 'CREATE UNIQUE INDEX uq_automation_bucket__automation_id__bucketing_key ON automation_bucket (automation_id, bucketing_key)';

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  if (kit.dialectOf(knex) === 'sqlite') {
    await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {
      table: 'automation_bucket',
      createSql: sqliteTable(kit, 'trigger_id CHAR(36) NOT NULL', 'triggered_at DATETIME'),
      copy: kit.copyColumns(COLUMNS),
      indexes: [...KEPT_INDEXES, KEY_WITH_TRIGGER],
    }));
    return;
  }
  await knex.raw('ALTER TABLE automation_bucket ALTER COLUMN trigger_id SET NOT NULL');
  await knex.raw('ALTER TABLE automation_bucket ALTER COLUMN triggered_at DROP NOT NULL');
  await knex.raw('DROP INDEX uq_automation_bucket__automation_id__bucketing_key');
  await knex.raw(KEY_WITH_TRIGGER);
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'sqlite') {
    // Prefect's downgrade names the old type TIMESTAMP, not DATETIME: its table keeps that.
    await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {
      table: 'automation_bucket',
      createSql: sqliteTable(kit, 'trigger_id CHAR(36)', 'triggered_at TIMESTAMP NOT NULL'),
      copy: kit.copyColumns(COLUMNS),
      indexes: [...KEPT_INDEXES, KEY_WITHOUT_TRIGGER],
    }));
    return;
  }
  await knex.raw('DROP INDEX uq_automation_bucket__automation_id__trigger_id__bucketing_key');
  await knex.raw(KEY_WITHOUT_TRIGGER);
  await knex.raw('ALTER TABLE automation_bucket ALTER COLUMN triggered_at SET NOT NULL');
  await knex.raw('ALTER TABLE automation_bucket ALTER COLUMN trigger_id DROP NOT NULL');
}

/**
 * Prefect's downgrade fails on a bucket never triggered (triggered_at becomes required) and on
 * two triggers' buckets sharing an automation and key (the key loses the trigger).
 * @param {import('knex').Knex} knex
 */
export async function downBlockers(knex) {
  const untriggered = await knex('automation_bucket').whereNull('triggered_at').select('id', 'automation_id').orderBy('id');
  const shared = await knex('automation_bucket as a')
    .join('automation_bucket as b', function sameKey() {
      this.on('a.automation_id', '=', 'b.automation_id').andOn('a.bucketing_key', '=', 'b.bucketing_key').andOn('a.id', '<', 'b.id');
    })
    .select('a.id as first', 'b.id as second', 'a.automation_id')
    .orderBy(['a.id', 'b.id']);
  return [
    ...untriggered.map((row) => `automation_bucket ${row.id} (automation ${row.automation_id}): triggered_at is empty, and the older schema requires it`),
    ...shared.map(
      (row) => `automation_bucket ${row.first} and ${row.second} (automation ${row.automation_id}): same bucketing key under two triggers, which the older unique key forbids`,
    ),
  ];
}
