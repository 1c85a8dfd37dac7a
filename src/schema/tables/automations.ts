import type {Table} from '../types.js';
import {BASE_COLUMNS, column, EMPTY_LIST, FALSE, indexesOn, required, TRUE} from '../parts.js';

// Automations and their trigger bookkeeping, and the event store they read. These tables
// were added after the base columns existed, so id/created/updated come after their own.

export const automation: Table = {
  name: 'automation',
  columns: [
    required('name', 'string'),
    required('description', 'string'),
    required('enabled', 'boolean', {default: TRUE}),
    required('trigger', 'json'),
    required('actions', 'json'),
    required('actions_on_trigger', 'json', {default: EMPTY_LIST}),
    required('actions_on_resolve', 'json', {default: EMPTY_LIST}),
    ...BASE_COLUMNS,
    required('tags', 'json', {default: EMPTY_LIST}),
  ],
  indexes: indexesOn('updated'),
};

export const automationBucket: Table = {
  name: 'automation_bucket',
  columns: [
    required('automation_id', 'uuid'),
    required('trigger_id', 'uuid'),
    required('bucketing_key', 'json'),
    column('last_event', 'json'),
    required('start', 'timestamp'),
    required('end', 'timestamp'),
    required('count', 'integer'),
    column('last_operation', 'string'),
    column('triggered_at', 'timestamp'),
    ...BASE_COLUMNS,
  ],
  foreignKeys: [{column: 'automation_id', references: 'automation', onDelete: 'CASCADE'}],
  indexes: [
    ...indexesOn('updated'),
    {name: 'ix_automation_bucket__automation_id__end', keys: ['automation_id', 'end']},
    {
      name: 'uq_automation_bucket__automation_id__trigger_id__bucketing_key',
      unique: true,
      keys: ['automation_id', 'trigger_id', 'bucketing_key'],
    },
  ],
};

export const automationEventFollower: Table = {
  name: 'automation_event_follower',
  columns: [
    required('leader_event_id', 'uuid'),
    required('follower_event_id', 'uuid'),
    required('received', 'timestamp'),
    required('follower', 'json'),
    ...BASE_COLUMNS,
    required('scope', 'string'),
  ],
  indexes: [
    ...indexesOn('leader_event_id', 'received', 'scope', 'updated'),
    {name: 'uq_follower_for_scope', unique: true, keys: ['scope', 'follower_event_id']},
    {name: 'ix_ae_follower_scope_leader', keys: ['scope', 'leader_event_id']},
  ],
};

export const automationRelatedResource: Table = {
  name: 'automation_related_resource',
  columns: [
    required('automation_id', 'uuid'),
    column('resource_id', 'string'),
    required('automation_owned_by_resource', 'boolean', {default: FALSE}),
    ...BASE_COLUMNS,
  ],
  foreignKeys: [{column: 'automation_id', references: 'automation', onDelete: 'CASCADE'}],
  indexes: [
    ...indexesOn('resource_id', 'updated'),
    {name: 'uq_automation_related_resource__automation_id__resource_id', unique: true, keys: ['automation_id', 'resource_id']},
  ],
};

export const compositeTriggerChildFiring: Table = {
  name: 'composite_trigger_child_firing',
  columns: [
    required('automation_id', 'uuid'),
    required('parent_trigger_id', 'uuid'),
    required('child_trigger_id', 'uuid'),
    required('child_firing_id', 'uuid'),
    column('child_fired_at', 'timestamp'),
    required('child_firing', 'json'),
    ...BASE_COLUMNS,
  ],
  foreignKeys: [{column: 'automation_id', references: 'automation', onDelete: 'CASCADE'}],
  indexes: [
    ...indexesOn('updated'),
    {
      name: 'uq_composite_trigger_child_firing__a_id__pt_id__ct__id',
      unique: true,
      keys: ['automation_id', 'parent_trigger_id', 'child_trigger_id'],
    },
  ],
};

/** PostgreSQL replaced two btree indexes with GIN ones (Prefect 3.3.4); SQLite kept the btrees. */
export const events: Table = {
  name: 'events',
  columns: [
    required('occurred', 'timestamp'),
    required('event', 'text'),
    required('resource_id', 'text'),
    required('resource', 'json'),
    required('related_resource_ids', 'json', {default: EMPTY_LIST}),
    required('related', 'json', {default: EMPTY_LIST}),
    required('payload', 'json'),
    required('received', 'timestamp'),
    required('recorded', 'timestamp'),
    column('follows', 'uuid'),
    ...BASE_COLUMNS,
  ],
  indexes: [
    ...indexesOn('occurred', 'updated'),
    {name: 'ix_events__event__id', keys: ['event', 'id']},
    {keys: ['event', 'occurred', 'id']},
    {keys: ['event', 'resource_id', 'occurred']},
    {keys: ['occurred', 'id']},
    {keys: ['event', 'related', 'occurred'], only: 'sqlite'},
    {keys: ['related_resource_ids'], only: 'sqlite'},
    {keys: ['event', 'occurred'], only: 'postgres'},
    {name: 'ix_events__related_gin', keys: ['related'], method: 'gin', only: 'postgres'},
    {name: 'ix_events__related_resource_ids_gin', keys: ['related_resource_ids'], method: 'gin', only: 'postgres'},
  ],
};

export const eventResources: Table = {
  name: 'event_resources',
  columns: [
    required('occurred', 'timestamp'),
    required('resource_id', 'text'),
    required('resource_role', 'text'),
    required('resource', 'json_plain'),
    required('event_id', 'uuid'),
    ...BASE_COLUMNS,
  ],
  indexes: [
    ...indexesOn('event_id', 'occurred', 'updated'),
    {name: 'ix_event_resources__resource_id__occurred', keys: ['resource_id', 'occurred']},
  ],
};

export const AUTOMATION_TABLES: readonly Table[] = [
  automation,
  automationBucket,
  automationEventFollower,
  automationRelatedResource,
  compositeTriggerChildFiring,
  events,
  eventResources,
];
