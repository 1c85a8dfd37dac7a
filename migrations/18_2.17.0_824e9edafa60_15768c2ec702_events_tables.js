// Prefect 2.17.0: the server keeps its events (and the resources each names) in its own database.

export const migration = {
  release: '2.17.0',
  description: 'Create events and event_resources',
  sqlite: {revision: '824e9edafa60', downRevision: '2b6c2b548f95'},
  postgres: {revision: '15768c2ec702', downRevision: '954db7517015'},
  drops: {
    sqlite: {tables: ['events', 'event_resources']},
    postgres: {tables: ['events', 'event_resources']},
  },
};

/** Column types per dialect; the sa.JSON resource of event_resources stays plain json on PostgreSQL. */
const TYPES = {
  sqlite: {uuid: 'CHAR(36)', time: 'DATETIME', json: 'JSON', plainJson: 'JSON', emptyList: "'[]'"},
  postgres: {uuid: 'UUID', time: 'TIMESTAMP WITH TIME ZONE', json: 'JSONB', plainJson: 'JSON', emptyList: "'[]'"},
};

function idAndStamps(kit, dialect) {
  const t = TYPES[dialect];
  const [id, now] = dialect === 'sqlite' ? [kit.sqliteBatchText.uuidDefaultFresh, kit.sqliteBatchText.nowDefault] : ['(GEN_RANDOM_UUID())', 'CURRENT_TIMESTAMP'];
  return [`id ${t.uuid} DEFAULT ${id} NOT NULL`, `created ${t.time} DEFAULT ${now} NOT NULL`, `updated ${t.time} DEFAULT ${now} NOT NULL`];
}

// Tab-and-trailing-space layout: the text alembic's CREATE TABLE leaves in sqlite_master.
function createTable(name, lines) {
  return `CREATE TABLE ${name} (\n\t${lines.join(', \n\t')}\n)`;
}

function eventResourcesTable(kit, dialect) {
  const t = TYPES[dialect];
  return createTable('event_resources', [
    `occurred ${t.time} NOT NULL`,
    'resource_id TEXT NOT NULL',
    'resource_role TEXT NOT NULL',
    `resource ${t.plainJson} NOT NULL`,
    `event_id ${t.uuid} NOT NULL`,
    ...idAndStamps(kit, dialect),
    'CONSTRAINT pk_event_resources PRIMARY KEY (id)',
  ]);
}

function eventsTable(kit, dialect) {
  const t = TYPES[dialect];
  return createTable('events', [
    `occurred ${t.time} NOT NULL`,
    'event TEXT NOT NULL',
    'resource_id TEXT NOT NULL',
    `resource ${t.json} NOT NULL`,
    `related_resource_ids ${t.json} DEFAULT ${t.emptyList} NOT NULL`,
    `related ${t.json} DEFAULT ${t.emptyList} NOT NULL`,
    `payload ${t.json} NOT NULL`,
    `received ${t.time} NOT NULL`,
    `recorded ${t.time} NOT NULL`,
    `follows ${t.uuid}`,
    ...idAndStamps(kit, dialect),
    'CONSTRAINT pk_events PRIMARY KEY (id)',
  ]);
}

const EVENT_RESOURCES_INDEXES = [
  'CREATE INDEX ix_event_resources__resource_id__occurred ON event_resources (resource_id, occurred)',
  'CREATE INDEX ix_event_resources__updated ON event_resources (updated)',
];

const EVENTS_INDEXES = [
  'CREATE INDEX ix_events__event__id ON events (event, id)',
  'CREATE INDEX ix_events__event_occurred_id ON events (event, occurred, id)',
  'CREATE INDEX ix_events__event_related_occurred ON events (event, related, occurred)',
  'CREATE INDEX ix_events__event_resource_id_occurred ON events (event, resource_id, occurred)',
  'CREATE INDEX ix_events__occurred ON events (occurred)',
  'CREATE INDEX ix_events__occurred_id ON events (occurred, id)',
  'CREATE INDEX ix_events__related_resource_ids ON events (related_resource_ids)',
  'CREATE INDEX ix_events__updated ON events (updated)',
];

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const dialect = kit.dialectOf(knex);
  await knex.raw(eventResourcesTable(kit, dialect));
  for (const index of EVENT_RESOURCES_INDEXES) await knex.raw(index);
  await knex.raw(eventsTable(kit, dialect));
  for (const index of EVENTS_INDEXES) await knex.raw(index);
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.raw('DROP TABLE events');
  await knex.raw('DROP TABLE event_resources');
}
