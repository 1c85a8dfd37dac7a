// Prefect 2.18.2: a deployment schedule may cap its active and scheduled runs and catch up on
// missed runs.

export const migration = {
  release: '2.18.2',
  description: 'Add max_active_runs, max_scheduled_runs and catchup to deployment_schedule',
  sqlite: {revision: '20fbd53b3cef', downRevision: 'a8e62d4c72cf'},
  postgres: {revision: 'b23c83a12cb4', downRevision: '8905262ec07f'},
  touches: {sqlite: ['deployment_schedule']},
  drops: {
    sqlite: {columns: ['deployment_schedule.max_active_runs', 'deployment_schedule.max_scheduled_runs', 'deployment_schedule.catchup']},
    postgres: {columns: ['deployment_schedule.max_active_runs', 'deployment_schedule.max_scheduled_runs', 'deployment_schedule.catchup']},
  },
};

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.raw('ALTER TABLE deployment_schedule ADD COLUMN max_active_runs INTEGER');
  await knex.raw('ALTER TABLE deployment_schedule ADD COLUMN max_scheduled_runs INTEGER');
  await knex.raw("ALTER TABLE deployment_schedule ADD COLUMN catchup BOOLEAN DEFAULT '0' NOT NULL");
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') {
    for (const column of ['catchup', 'max_scheduled_runs', 'max_active_runs']) await knex.raw(`ALTER TABLE deployment_schedule DROP COLUMN ${column}`);
    return;
  }
  const text = kit.sqliteBatchText;
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {
    table: 'deployment_schedule',
    createSql: DEPLOYMENT_SCHEDULE_TABLE(text),
    copy: kit.copyColumns(DEPLOYMENT_SCHEDULE_COLUMNS),
    indexes: DEPLOYMENT_SCHEDULE_INDEXES,
  }));
}

// The table as Prefect's downgrade leaves it on SQLite (read off its result).
const DEPLOYMENT_SCHEDULE_TABLE = ({uuidDefault, nowDefault}) => `CREATE TABLE "deployment_schedule" (
\tid CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
\tcreated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tupdated DATETIME DEFAULT ${nowDefault} NOT NULL, 
\tschedule JSON NOT NULL, 
\tactive BOOLEAN NOT NULL, 
\tdeployment_id CHAR(36) NOT NULL, 
\tCONSTRAINT pk_deployment_schedule PRIMARY KEY (id), 
\tCONSTRAINT fk_deployment_schedule__deployment_id__deployment FOREIGN KEY(deployment_id) REFERENCES deployment (id) ON DELETE CASCADE
)`;
const DEPLOYMENT_SCHEDULE_COLUMNS = ['id', 'created', 'updated', 'schedule', 'active', 'deployment_id'];
const DEPLOYMENT_SCHEDULE_INDEXES = [
  'CREATE INDEX ix_deployment_schedule__deployment_id ON deployment_schedule (deployment_id)',
  'CREATE INDEX ix_deployment_schedule__updated ON deployment_schedule (updated)',
];
