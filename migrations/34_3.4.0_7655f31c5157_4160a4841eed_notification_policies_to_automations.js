// Prefect 3.4.0: flow run notification policies are gone; each one becomes an automation
// (an event trigger on the flow run states and tags it named, a send-notification action
// to the same block), then both notification tables are dropped.
// Prefect moves the policies in an autocommit block on its own, before the tables go and
// before the revision is stamped; here all of it is one transaction.

import {randomUUID} from 'node:crypto';

export const migration = {
  release: '3.4.0',
  description: 'Turn each flow run notification policy into an automation; drop flow_run_notification_policy and flow_run_notification_queue',
  sqlite: {revision: '7655f31c5157', downRevision: 'bbca16f6f218'},
  postgres: {revision: '4160a4841eed', downRevision: '7a73514ca2d6'},
  touches: {sqlite: ['flow_run_notification_policy'], postgres: ['flow_run_notification_policy']},
};

// Prefect's own texts: the body a policy without a template gets, and what each of the old
// template's placeholders becomes in the automation's Jinja template.
const DEFAULT_BODY = `
Flow run {{ flow.name }}/{{ flow_run.name }} observed in state \`{{ flow_run.state.name }}\` at {{ flow_run.state.timestamp }}.
Flow ID: {{ flow_run.flow_id }}
Flow run ID: {{ flow_run.id }}
Flow run URL: {{ flow_run|ui_url }}
State message: {{ flow_run.state.message }}
`;

const PLACEHOLDERS = {
  flow_run_notification_policy_id: 'Event ID {{ event.id }}',
  flow_id: '{{ flow.id }}',
  flow_name: '{{ flow.name }}',
  flow_run_url: '{{ flow_run|ui_url }}',
  flow_run_id: '{{ flow_run.id }}',
  flow_run_name: '{{ flow_run.name }}',
  flow_run_parameters: '{{ flow_run.parameters }}',
  flow_run_state_type: '{{ flow_run.state.type }}',
  flow_run_state_name: '{{ flow_run.state.name }}',
  flow_run_state_timestamp: '{{ flow_run.state.timestamp }}',
  flow_run_state_message: '{{ flow_run.state.message }}',
};

/**
 * The old templates were Python format strings (`{flow_name}`, `{{` for a brace); Prefect
 * converts them with str.format. Fields with a format spec (anything after a colon)
 * are not supported here, and an unknown name fails as Prefect's KeyError does: the step
 * then stops with nothing changed.
 */
function convertTemplate(template, policyId, kit) {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '}') {
      if (template[i + 1] !== '}') throw kit.refuse(`notification policy ${policyId}: its message template has a single '}' (Prefect's migration fails on it too); fix the template first`);
      out += '}';
      i++;
    } else if (ch === '{') {
      if (template[i + 1] === '{') {
        out += '{';
        i++;
        continue;
      }
      const close = template.indexOf('}', i);
      const field = close < 0 ? null : /^(\w+)(?:!([sra]))?$/.exec(template.slice(i + 1, close));
      if (!field || !Object.hasOwn(PLACEHOLDERS, field[1])) {
        throw kit.refuse(
          `notification policy ${policyId}: its message template field ${close < 0 ? template.slice(i) : template.slice(i, close + 1)} has no automation equivalent (Prefect's migration fails on it too); fix the template first`,
        );
      }
      const value = PLACEHOLDERS[field[1]];
      out += field[2] === 'r' || field[2] === 'a' ? `'${value}'` : value;
      i = close;
    } else out += ch;
  }
  return out;
}

function parsedJson(value) {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function automationFor(policy, kit) {
  const stateNames = parsedJson(policy.state_names);
  const tags = parsedJson(policy.tags);
  const trigger = {
    id: randomUUID(),
    type: 'event',
    after: [],
    match: {'prefect.resource.id': 'prefect.flow-run.*'},
    // Prefect builds this list from a set, so its order is arbitrary; here it keeps first occurrences in order.
    expect: stateNames && stateNames.length > 0 ? [...new Set(stateNames.map((name) => `prefect.flow-run.${name}`))] : ['prefect.flow-run.*'],
    within: 10,
    posture: 'Reactive',
    for_each: ['prefect.resource.id'],
    threshold: 1,
    match_related: tags && tags.length > 0 ? {'prefect.resource.id': tags.map((tag) => `prefect.tag.${tag}`), 'prefect.resource.role': 'tag'} : {},
  };
  const actions = [
    {
      body: policy.message_template ? convertTemplate(policy.message_template, policy.id, kit) : DEFAULT_BODY,
      type: 'send-notification',
      subject: 'Prefect flow run notification',
      block_document_id: String(policy.block_document_id),
    },
  ];
  return {
    name: 'Flow Run State Change Notification',
    description: 'Migrated from a flow run notification policy',
    enabled: policy.is_active,
    trigger: kit.pythonJsonDumps(trigger),
    actions: kit.pythonJsonDumps(actions),
  };
}

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function up(knex, kit) {
  const policies = await knex('flow_run_notification_policy').select('id', 'is_active', 'state_names', 'tags', 'message_template', 'block_document_id');
  for (const policy of policies) {
    await knex('automation').insert(automationFor(policy, kit));
    await knex('flow_run_notification_policy').where({id: policy.id}).delete();
  }
  await knex.raw('DROP TABLE flow_run_notification_queue');
  await knex.raw('DROP TABLE flow_run_notification_policy');
}

const SQLITE_UUID_DEFAULT = `(
    (
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
    )
    )`;

const SQLITE_NOW = "(strftime('%Y-%m-%d %H:%M:%f000', 'now'))";

// The downgrade brings the tables back empty. Its foreign key gets the policy table's own
// name (the tables Prefect first made had fk_flow_run_alert_policy_…), which PostgreSQL's
// 63-character limit makes SQLAlchemy shorten with a hash.
const CREATE_TABLES = {
  sqlite: [
    `CREATE TABLE flow_run_notification_queue (
	id CHAR(36) DEFAULT ${SQLITE_UUID_DEFAULT} NOT NULL, 
	created DATETIME DEFAULT ${SQLITE_NOW} NOT NULL, 
	updated DATETIME DEFAULT ${SQLITE_NOW} NOT NULL, 
	flow_run_notification_policy_id CHAR(36) NOT NULL, 
	flow_run_state_id CHAR(36) NOT NULL, 
	CONSTRAINT pk_flow_run_notification_queue PRIMARY KEY (id)
)`,
    'CREATE INDEX ix_flow_run_notification_queue__updated ON flow_run_notification_queue (updated)',
    `CREATE TABLE flow_run_notification_policy (
	id CHAR(36) DEFAULT ${SQLITE_UUID_DEFAULT} NOT NULL, 
	created DATETIME DEFAULT ${SQLITE_NOW} NOT NULL, 
	updated DATETIME DEFAULT ${SQLITE_NOW} NOT NULL, 
	is_active BOOLEAN DEFAULT '1' NOT NULL, 
	state_names JSON DEFAULT '[]' NOT NULL, 
	tags JSON DEFAULT '[]' NOT NULL, 
	message_template VARCHAR, 
	block_document_id CHAR(36) NOT NULL, 
	CONSTRAINT pk_flow_run_notification_policy PRIMARY KEY (id), 
	CONSTRAINT fk_flow_run_notification_policy__block_document_id__block_document FOREIGN KEY(block_document_id) REFERENCES block_document (id) ON DELETE cascade
)`,
    'CREATE INDEX ix_flow_run_notification_policy__updated ON flow_run_notification_policy (updated)',
  ],
  postgres: [
    `CREATE TABLE flow_run_notification_queue (
	id UUID DEFAULT (GEN_RANDOM_UUID()) NOT NULL, 
	created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	flow_run_notification_policy_id UUID NOT NULL, 
	flow_run_state_id UUID NOT NULL, 
	CONSTRAINT pk_flow_run_notification_queue PRIMARY KEY (id)
)`,
    'CREATE INDEX ix_flow_run_notification_queue__updated ON flow_run_notification_queue (updated)',
    `CREATE TABLE flow_run_notification_policy (
	id UUID DEFAULT (GEN_RANDOM_UUID()) NOT NULL, 
	created TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	is_active BOOLEAN DEFAULT '1' NOT NULL, 
	state_names JSONB DEFAULT '[]' NOT NULL, 
	tags JSONB DEFAULT '[]' NOT NULL, 
	message_template VARCHAR, 
	block_document_id UUID NOT NULL, 
	CONSTRAINT pk_flow_run_notification_policy PRIMARY KEY (id), 
	CONSTRAINT fk_flow_run_notification_policy__block_document_id__blo_b927 FOREIGN KEY(block_document_id) REFERENCES block_document (id) ON DELETE cascade
)`,
    'CREATE INDEX ix_flow_run_notification_policy__updated ON flow_run_notification_policy (updated)',
  ],
};

/** @param {import('knex').Knex} knex @param {import('../src/db/migration-kit.js').MigrationKit} kit */
export async function down(knex, kit) {
  for (const statement of CREATE_TABLES[kit.dialectOf(knex)]) await knex.raw(statement);
}
