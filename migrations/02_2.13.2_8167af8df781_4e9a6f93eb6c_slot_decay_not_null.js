// Prefect's "Make slot_decay_per_second not nullable" (2.13.2): nulls become 0.0 first.
// SQLite changes nullability by a batch rebuild of concurrency_limit_v2, both ways.

export const migration = {
  release: '2.13.2',
  description: 'Make concurrency_limit_v2.slot_decay_per_second NOT NULL (nulls become 0.0)',
  sqlite: {revision: '8167af8df781', downRevision: 'ef674d598dd3'},
  postgres: {revision: '4e9a6f93eb6c', downRevision: 'db0eb3973a54'},
  touches: {sqlite: ['concurrency_limit_v2'], postgres: ['concurrency_limit_v2']},
};

const NOT_NULL = ({uuidDefault, nowDefault}) => ({
  table: 'concurrency_limit_v2',
  createSql: `CREATE TABLE "concurrency_limit_v2" (
	id CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	active BOOLEAN NOT NULL, 
	name VARCHAR NOT NULL, 
	"limit" INTEGER NOT NULL, 
	active_slots INTEGER NOT NULL, 
	denied_slots INTEGER NOT NULL, 
	slot_decay_per_second FLOAT NOT NULL, 
	avg_slot_occupancy_seconds FLOAT NOT NULL, 
	CONSTRAINT pk_concurrency_limit_v2 PRIMARY KEY (id), 
	CONSTRAINT uq_concurrency_limit_v2__name UNIQUE (name)
)`,
  columns: ['id', 'created', 'updated', 'active', 'name', 'limit', 'active_slots', 'denied_slots', 'slot_decay_per_second', 'avg_slot_occupancy_seconds'],
  indexes: [
    'CREATE INDEX ix_concurrency_limit_v2__updated ON concurrency_limit_v2 (updated)',
  ],
});

const NULLABLE = ({uuidDefault, nowDefault}) => ({
  table: 'concurrency_limit_v2',
  createSql: `CREATE TABLE "concurrency_limit_v2" (
	id CHAR(36) DEFAULT ${uuidDefault} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	active BOOLEAN NOT NULL, 
	name VARCHAR NOT NULL, 
	"limit" INTEGER NOT NULL, 
	active_slots INTEGER NOT NULL, 
	denied_slots INTEGER NOT NULL, 
	slot_decay_per_second FLOAT, 
	avg_slot_occupancy_seconds FLOAT NOT NULL, 
	CONSTRAINT pk_concurrency_limit_v2 PRIMARY KEY (id), 
	CONSTRAINT uq_concurrency_limit_v2__name UNIQUE (name)
)`,
  columns: ['id', 'created', 'updated', 'active', 'name', 'limit', 'active_slots', 'denied_slots', 'slot_decay_per_second', 'avg_slot_occupancy_seconds'],
  indexes: [
    'CREATE INDEX ix_concurrency_limit_v2__updated ON concurrency_limit_v2 (updated)',
  ],
});

async function rebuild(knex, kit, {columns, ...table}) {
  await kit.rebuildSqliteTable(knex, await kit.inLiveColumnOrder(knex, {...table, copy: kit.copyColumns(columns)}));
}

export async function up(knex, kit) {
  await knex.raw('UPDATE concurrency_limit_v2 SET slot_decay_per_second = 0.0 WHERE slot_decay_per_second IS NULL');
  if (kit.dialectOf(knex) === 'postgres') await knex.raw('ALTER TABLE concurrency_limit_v2 ALTER COLUMN slot_decay_per_second SET NOT NULL');
  else await rebuild(knex, kit, NOT_NULL(kit.sqliteBatchText));
}

export async function down(knex, kit) {
  if (kit.dialectOf(knex) === 'postgres') await knex.raw('ALTER TABLE concurrency_limit_v2 ALTER COLUMN slot_decay_per_second DROP NOT NULL');
  else await rebuild(knex, kit, NULLABLE(kit.sqliteBatchText));
}
