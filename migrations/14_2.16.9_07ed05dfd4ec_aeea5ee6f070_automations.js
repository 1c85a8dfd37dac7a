// Prefect's "Automations models" (2.16.9): the tables behind automations (triggers and their
// actions), their event buckets, related resources and composite-trigger firings. Nothing is
// moved into them here; Prefect's later migration turns notification policies into automations.

export const migration = {
  release: '2.16.9',
  description: 'Create automation, automation_bucket, automation_related_resource, composite_trigger_child_firing',
  sqlite: {revision: '07ed05dfd4ec', downRevision: 'bacc60edce16'},
  postgres: {revision: 'aeea5ee6f070', downRevision: '7a653837d9ba'},
  drops: {
    sqlite: {tables: ['automation', 'automation_bucket', 'automation_related_resource', 'composite_trigger_child_firing']},
    postgres: {tables: ['automation', 'automation_bucket', 'automation_related_resource', 'composite_trigger_child_firing']},
  },
};

/** In creation order; `sqlite` is the text Prefect's create_table leaves in sqlite_master. */
const TABLES = ({uuidDefaultFresh, nowDefault}) => [
  {
    table: 'automation',
    sqlite: `CREATE TABLE automation (
	name VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	enabled BOOLEAN DEFAULT '1' NOT NULL, 
	"trigger" JSON NOT NULL, 
	actions JSON NOT NULL, 
	actions_on_trigger JSON DEFAULT '[]' NOT NULL, 
	actions_on_resolve JSON DEFAULT '[]' NOT NULL, 
	id CHAR(36) DEFAULT ${uuidDefaultFresh} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	CONSTRAINT pk_automation PRIMARY KEY (id)
)`,
    indexes: [
      'CREATE INDEX ix_automation__updated ON automation (updated)',
    ],
    postgres: `CREATE TABLE automation (
      name VARCHAR NOT NULL,
      description VARCHAR NOT NULL,
      enabled BOOLEAN DEFAULT '1' NOT NULL,
      trigger JSONB NOT NULL,
      actions JSONB NOT NULL,
      actions_on_trigger JSONB DEFAULT '[]' NOT NULL,
      actions_on_resolve JSONB DEFAULT '[]' NOT NULL,
      id UUID DEFAULT GEN_RANDOM_UUID() NOT NULL,
      created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
      updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
      CONSTRAINT pk_automation PRIMARY KEY (id)
    )`,
  },
  {
    table: 'automation_bucket',
    sqlite: `CREATE TABLE automation_bucket (
	automation_id CHAR(36) NOT NULL, 
	trigger_id CHAR(36), 
	bucketing_key JSON NOT NULL, 
	last_event JSON, 
	start DATETIME NOT NULL, 
	"end" DATETIME NOT NULL, 
	count INTEGER NOT NULL, 
	last_operation VARCHAR, 
	triggered_at DATETIME NOT NULL, 
	id CHAR(36) DEFAULT ${uuidDefaultFresh} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	CONSTRAINT pk_automation_bucket PRIMARY KEY (id), 
	CONSTRAINT fk_automation_bucket__automation_id__automation FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE CASCADE
)`,
    indexes: [
      'CREATE INDEX ix_automation_bucket__automation_id__end ON automation_bucket (automation_id, "end")',
      'CREATE INDEX ix_automation_bucket__updated ON automation_bucket (updated)',
      'CREATE UNIQUE INDEX uq_automation_bucket__automation_id__bucketing_key ON automation_bucket (automation_id, bucketing_key)',
    ],
    postgres: `CREATE TABLE automation_bucket (
      automation_id UUID NOT NULL,
      trigger_id UUID,
      bucketing_key JSONB NOT NULL,
      last_event JSONB,
      start TIMESTAMP WITH TIME ZONE NOT NULL,
      "end" TIMESTAMP WITH TIME ZONE NOT NULL,
      count INTEGER NOT NULL,
      last_operation VARCHAR,
      triggered_at TIMESTAMP WITH TIME ZONE NOT NULL,
      id UUID DEFAULT GEN_RANDOM_UUID() NOT NULL,
      created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
      updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
      CONSTRAINT pk_automation_bucket PRIMARY KEY (id),
      CONSTRAINT fk_automation_bucket__automation_id__automation FOREIGN KEY (automation_id) REFERENCES automation (id) ON DELETE CASCADE
    )`,
  },
  {
    table: 'automation_related_resource',
    sqlite: `CREATE TABLE automation_related_resource (
	automation_id CHAR(36) NOT NULL, 
	resource_id VARCHAR, 
	automation_owned_by_resource BOOLEAN DEFAULT '0' NOT NULL, 
	id CHAR(36) DEFAULT ${uuidDefaultFresh} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	CONSTRAINT pk_automation_related_resource PRIMARY KEY (id), 
	CONSTRAINT fk_automation_related_resource__automation_id__automation FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE CASCADE
)`,
    indexes: [
      'CREATE INDEX ix_automation_related_resource__resource_id ON automation_related_resource (resource_id)',
      'CREATE INDEX ix_automation_related_resource__updated ON automation_related_resource (updated)',
      'CREATE UNIQUE INDEX uq_automation_related_resource__automation_id__resource_id ON automation_related_resource (automation_id, resource_id)',
    ],
    postgres: `CREATE TABLE automation_related_resource (
      automation_id UUID NOT NULL,
      resource_id VARCHAR,
      automation_owned_by_resource BOOLEAN DEFAULT '0' NOT NULL,
      id UUID DEFAULT GEN_RANDOM_UUID() NOT NULL,
      created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
      updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
      CONSTRAINT pk_automation_related_resource PRIMARY KEY (id),
      CONSTRAINT fk_automation_related_resource__automation_id__automation FOREIGN KEY (automation_id) REFERENCES automation (id) ON DELETE CASCADE
    )`,
  },
  {
    table: 'composite_trigger_child_firing',
    sqlite: `CREATE TABLE composite_trigger_child_firing (
	automation_id CHAR(36) NOT NULL, 
	parent_trigger_id CHAR(36) NOT NULL, 
	child_trigger_id CHAR(36) NOT NULL, 
	child_firing_id CHAR(36) NOT NULL, 
	child_fired_at DATETIME, 
	child_firing JSON NOT NULL, 
	id CHAR(36) DEFAULT ${uuidDefaultFresh} NOT NULL, 
	created DATETIME DEFAULT ${nowDefault} NOT NULL, 
	updated DATETIME DEFAULT ${nowDefault} NOT NULL, 
	CONSTRAINT pk_composite_trigger_child_firing PRIMARY KEY (id), 
	CONSTRAINT fk_composite_trigger_child_firing__automation_id__automation FOREIGN KEY(automation_id) REFERENCES automation (id) ON DELETE CASCADE
)`,
    indexes: [
      'CREATE INDEX ix_composite_trigger_child_firing__updated ON composite_trigger_child_firing (updated)',
      'CREATE UNIQUE INDEX uq_composite_trigger_child_firing__a_id__pt_id__ct__id ON composite_trigger_child_firing (automation_id, parent_trigger_id, child_trigger_id)',
    ],
    postgres: `CREATE TABLE composite_trigger_child_firing (
      automation_id UUID NOT NULL,
      parent_trigger_id UUID NOT NULL,
      child_trigger_id UUID NOT NULL,
      child_firing_id UUID NOT NULL,
      child_fired_at TIMESTAMP WITH TIME ZONE,
      child_firing JSONB NOT NULL,
      id UUID DEFAULT GEN_RANDOM_UUID() NOT NULL,
      created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
      updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
      CONSTRAINT pk_composite_trigger_child_firing PRIMARY KEY (id),
      CONSTRAINT fk_composite_trigger_child_firing__automation_id__automation FOREIGN KEY (automation_id) REFERENCES automation (id) ON DELETE CASCADE
    )`,
  },
];

export async function up(knex, kit) {
  const dialect = kit.dialectOf(knex);
  for (const table of TABLES(kit.sqliteBatchText)) {
    await knex.raw(table[dialect]);
    for (const index of table.indexes) await knex.raw(index);
  }
}

/** Children first; each table's indexes go with it. */
export async function down(knex, kit) {
  for (const {table} of TABLES(kit.sqliteBatchText).reverse()) await knex.raw(`DROP TABLE ${table}`);
}
