// The data migrations of chain files 29–44, as cases both the fixture generator
// (test/fixtures/migrations/data/generate-late-chain.ts, which runs Prefect's own scripts) and
// the tests (which run prefectdb's) use: rows planted in the old encoding, the tables read
// back after, and how values a migration creates fresh (ids, timestamps) are compared.
import {readFileSync} from 'node:fs';

import type {Knex} from 'knex';

import type {Dialect} from '../../../src/db/dialect.js';
import {pythonJsonDumps} from '../../../src/db/migration-helpers/python-json.js';

export type Row = Record<string, unknown>;
/** Tables in insertion order, each with its rows. */
export type Planted = Array<{table: string; rows: Row[]}>;
export type TableRows = Record<string, Row[]>;

interface Watch {
  table: string;
  /** Replaces values the migration creates fresh by their shape; must keep anything else. */
  normalise?: (row: Row, dialect: Dialect) => Row;
}

interface Direction {
  plant(dialect: Dialect): Planted;
  watch: Watch[];
}

export interface DataCase {
  sqliteRevision: string;
  revisions: Record<Dialect, {revision: string; downRevision: string}>;
  up?: Direction;
  down?: Direction;
}

/** What Prefect's own scripts left (test/fixtures/migrations/data/<sqliteRevision>-<dialect>.json). */
export interface DataFixture {
  revision: string;
  downRevision: string;
  up?: {planted: Planted; result: TableRows};
  down?: {planted: Planted; result: TableRows};
}

export function fixturePath(dataCase: DataCase, dialect: Dialect): string {
  return new URL(`../../fixtures/migrations/data/${dataCase.sqliteRevision}-${dialect}.json`, import.meta.url).pathname;
}

export function readFixture(dataCase: DataCase, dialect: Dialect): DataFixture {
  return JSON.parse(readFileSync(fixturePath(dataCase, dialect), 'utf8')) as DataFixture;
}

/** Inserts the rows with foreign keys unenforced, as a database that grew them over time has them. */
export async function plant(knex: Knex, dialect: Dialect, planted: Planted): Promise<void> {
  if (dialect === 'sqlite') await knex.raw('PRAGMA foreign_keys = OFF');
  await knex.transaction(async (trx) => {
    if (dialect === 'postgres') await trx.raw('SET LOCAL session_replication_role = replica');
    for (const {table, rows} of planted) await trx(table).insert(rows);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function plainValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  // node-pg's interval objects (task_run.total_run_time)
  if (value && typeof (value as {toPostgres?: unknown}).toPostgres === 'function') return (value as {toPostgres(): string}).toPostgres();
  return value;
}

/** The watched tables' rows, plain values, fresh values replaced by their shape, in a stable order. */
export async function readWatched(knex: Knex, dialect: Dialect, watch: Watch[]): Promise<TableRows> {
  const result: TableRows = {};
  for (const {table, normalise} of watch) {
    const rows = ((await knex(table).select('*')) as Row[]).map((row) => {
      const plain = Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plainValue(value)]));
      // As a fixture file holds it: plain JSON, no undefined members.
      return JSON.parse(JSON.stringify(normalise ? normalise(plain, dialect) : plain)) as Row;
    });
    result[table] = rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return result;
}

function fresh(value: unknown, shape: 'uuid' | 'timestamp'): unknown {
  if (shape === 'uuid') return typeof value === 'string' && UUID.test(value) ? '<fresh uuid>' : value;
  return value !== null && value !== undefined && !Number.isNaN(Date.parse(String(value))) ? '<fresh timestamp>' : value;
}

/**
 * A JSON column: parsed, and on SQLite marked by whether its text is exactly what Python's
 * json.dumps writes (Prefect's data migrations store it so).
 */
function jsonColumn(value: unknown, dialect: Dialect): {text?: string; value: unknown} {
  if (dialect === 'postgres' || typeof value !== 'string') return {value};
  const parsed = JSON.parse(value);
  return {text: value === pythonJsonDumps(parsed) ? 'as Python writes it' : `not as Python writes it: ${value}`, value: parsed};
}

const ids = {
  blockType: '0b7a4e8e-0000-4000-8000-000000000001',
  blockSchema: '0b7a4e8e-0000-4000-8000-000000000002',
  blockDocuments: ['0b7a4e8e-0000-4000-8000-0000000000d1', '0b7a4e8e-0000-4000-8000-0000000000d2', '0b7a4e8e-0000-4000-8000-0000000000d3'],
  policies: ['0b7a4e8e-0000-4000-8000-0000000000a1', '0b7a4e8e-0000-4000-8000-0000000000a2', '0b7a4e8e-0000-4000-8000-0000000000a3'],
  flow: '0b7a4e8e-0000-4000-8000-0000000000f1',
  flowRun: '0b7a4e8e-0000-4000-8000-0000000000f2',
  taskRuns: ['0b7a4e8e-0000-4000-8000-0000000000b1', '0b7a4e8e-0000-4000-8000-0000000000b2', '0b7a4e8e-0000-4000-8000-0000000000b3'],
  states: ['0b7a4e8e-0000-4000-8000-0000000000c1', '0b7a4e8e-0000-4000-8000-0000000000c2'],
  missingState: '0b7a4e8e-0000-4000-8000-0000000000c9',
  limits: ['0b7a4e8e-0000-4000-8000-000000000101', '0b7a4e8e-0000-4000-8000-000000000102', '0b7a4e8e-0000-4000-8000-000000000103', '0b7a4e8e-0000-4000-8000-000000000104'],
  references: ['0b7a4e8e-0000-4000-8000-000000000201', '0b7a4e8e-0000-4000-8000-000000000202', '0b7a4e8e-0000-4000-8000-000000000203', '0b7a4e8e-0000-4000-8000-000000000204'],
  deployment: '0b7a4e8e-0000-4000-8000-000000000401',
  schedules: ['0b7a4e8e-0000-4000-8000-000000000411', '0b7a4e8e-0000-4000-8000-000000000412'],
  workPools: ['0b7a4e8e-0000-4000-8000-000000000421', '0b7a4e8e-0000-4000-8000-000000000422'],
  slotHolders: ['0b7a4e8e-0000-4000-8000-000000000301', '0b7a4e8e-0000-4000-8000-000000000302', '0b7a4e8e-0000-4000-8000-000000000303'],
};

function timestamp(dialect: Dialect, minute: number): string {
  const mm = String(minute).padStart(2, '0');
  return dialect === 'sqlite' ? `2025-03-01 10:${mm}:00.123000` : `2025-03-01T10:${mm}:00.123Z`;
}

function bool(dialect: Dialect, value: boolean): unknown {
  return dialect === 'sqlite' ? (value ? 1 : 0) : value;
}

function blockDocuments(dialect: Dialect): Planted {
  return [
    {table: 'block_type', rows: [{id: ids.blockType, name: 'Slack Webhook', slug: 'slack-webhook'}]},
    {table: 'block_schema', rows: [{id: ids.blockSchema, block_type_id: ids.blockType, checksum: 'sha256:late-chain'}]},
    {
      table: 'block_document',
      rows: ids.blockDocuments.map((id, i) => ({id, name: `doc-${i + 1}`, block_schema_id: ids.blockSchema, block_type_id: ids.blockType, created: timestamp(dialect, i), updated: timestamp(dialect, i)})),
    },
  ];
}

/** 30: the downgrade rebuilds deployment_schedule (SQLite) without slug; every row keeps the rest. */
export const deploymentScheduleSlug: DataCase = {
  sqliteRevision: '07ecde74d74d',
  revisions: {sqlite: {revision: '07ecde74d74d', downRevision: '67f886da208e'}, postgres: {revision: 'a03d00b8e275', downRevision: 'c163acd7e8e3'}},
  down: {
    plant: (dialect) => [
      {table: 'flow', rows: [{id: ids.flow, name: 'late-chain-flow'}]},
      {table: 'deployment', rows: [{id: ids.deployment, name: 'nightly', flow_id: ids.flow}]},
      {
        table: 'deployment_schedule',
        rows: ids.schedules.map((id, i) => ({
          id,
          deployment_id: ids.deployment,
          schedule: `{"interval": ${3600 * (i + 1)}, "timezone": "UTC"}`,
          active: bool(dialect, i === 0),
          max_scheduled_runs: i === 0 ? null : 5,
          parameters: i === 0 ? '{}' : '{"region": "eu"}',
          slug: i === 0 ? null : 'hourly-eu',
          created: timestamp(dialect, 40 + i),
          updated: timestamp(dialect, 40 + i),
        })),
      },
    ],
    watch: [{table: 'deployment_schedule'}],
  },
};

/** 31: the downgrade rebuilds work_pool (SQLite) without storage_configuration. */
export const workPoolStorage: DataCase = {
  sqliteRevision: '3457c6ca2360',
  revisions: {sqlite: {revision: '3457c6ca2360', downRevision: '07ecde74d74d'}, postgres: {revision: 'b5f5644500d2', downRevision: 'a03d00b8e275'}},
  down: {
    plant: (dialect) => [
      {
        table: 'work_pool',
        rows: ids.workPools.map((id, i) => ({
          id,
          name: `pool-${i + 1}`,
          type: i === 0 ? 'process' : 'kubernetes',
          description: i === 0 ? null : 'cluster pool',
          base_job_template: '{"job_configuration": {}, "variables": {}}',
          is_paused: bool(dialect, i === 1),
          concurrency_limit: i === 0 ? null : 10,
          status: i === 0 ? 'READY' : 'PAUSED',
          storage_configuration: i === 0 ? '{}' : '{"bundle_upload_step": {"step": "upload"}}',
          created: timestamp(dialect, 50 + i),
          updated: timestamp(dialect, 50 + i),
        })),
      },
    ],
    watch: [{table: 'work_pool'}],
  },
};

function normaliseAutomation(row: Row, dialect: Dialect): Row {
  const trigger = jsonColumn(row.trigger, dialect);
  const actions = jsonColumn(row.actions, dialect);
  const triggerValue = trigger.value as {id?: unknown; expect?: string[]};
  // Prefect builds `expect` from a Python set: its order is arbitrary.
  const normalisedTrigger = {...triggerValue, id: fresh(triggerValue.id, 'uuid'), expect: [...(triggerValue.expect ?? [])].sort()};
  return {
    ...row,
    id: fresh(row.id, 'uuid'),
    created: fresh(row.created, 'timestamp'),
    updated: fresh(row.updated, 'timestamp'),
    trigger: normalisedTrigger,
    trigger_text: trigger.text,
    actions: actions.value,
    actions_text: actions.text,
  };
}

/** 34: flow run notification policies become automations. */
export const notificationPolicies: DataCase = {
  sqliteRevision: '7655f31c5157',
  revisions: {sqlite: {revision: '7655f31c5157', downRevision: 'bbca16f6f218'}, postgres: {revision: '4160a4841eed', downRevision: '7a73514ca2d6'}},
  up: {
    plant: (dialect) => [
      ...blockDocuments(dialect),
      {
        table: 'flow_run_notification_policy',
        rows: [
          // No template: the default body; a repeated state name appears once.
          {id: ids.policies[0], is_active: bool(dialect, true), state_names: '["Completed", "Failed", "Completed"]', tags: '["prod", "db"]', message_template: null, block_document_id: ids.blockDocuments[0]},
          // An old-style template with every kind of field, escaped braces and text outside ASCII.
          {
            id: ids.policies[1],
            is_active: bool(dialect, false),
            state_names: '[]',
            tags: '[]',
            message_template: 'Flow {flow_name} run {flow_run_name} ({flow_run_id}) is {flow_run_state_name} — {{not a field}} {flow_run_url} {flow_run_state_message!r} {flow_run_notification_policy_id}',
            block_document_id: ids.blockDocuments[1],
          },
          // An empty template counts as none; a tag outside ASCII.
          {id: ids.policies[2], is_active: bool(dialect, true), state_names: '["Crashed"]', tags: '["café"]', message_template: '', block_document_id: ids.blockDocuments[1]},
        ],
      },
    ],
    watch: [{table: 'automation', normalise: normaliseAutomation}, {table: 'block_document'}],
  },
};

function flowRunAndTasks(dialect: Dialect, taskStateIds: Array<string | null>): Planted {
  return [
    {table: 'flow', rows: [{id: ids.flow, name: 'late-chain-flow'}]},
    {table: 'flow_run', rows: [{id: ids.flowRun, name: 'late-chain-run', flow_id: ids.flow}]},
    {
      table: 'task_run',
      rows: taskStateIds.map((stateId, i) => ({
        id: ids.taskRuns[i],
        name: `task-${i + 1}`,
        task_key: `key-${i + 1}`,
        dynamic_key: '0',
        flow_run_id: ids.flowRun,
        state_id: stateId,
        state_type: stateId ? 'COMPLETED' : null,
        state_name: stateId ? 'Completed' : null,
        created: timestamp(dialect, 10 + i),
        updated: timestamp(dialect, 10 + i),
        labels: i === 0 ? '{"team": "data"}' : null,
      })),
    },
    {
      table: 'task_run_state',
      rows: ids.states.map((id, i) => ({id, type: 'COMPLETED', name: 'Completed', task_run_id: ids.taskRuns[i], timestamp: timestamp(dialect, 20 + i), created: timestamp(dialect, 20 + i), updated: timestamp(dialect, 20 + i)})),
    },
  ];
}

/** 37: task_run.state_id loses its foreign key; the downgrade clears dangling references first. */
export const taskRunStateKey: DataCase = {
  sqliteRevision: '8bb517bae6f9',
  revisions: {sqlite: {revision: '8bb517bae6f9', downRevision: 'bb2345678901'}, postgres: {revision: '3b86c5ea017a', downRevision: 'aa1234567890'}},
  up: {plant: (dialect) => flowRunAndTasks(dialect, [ids.states[0], ids.states[1], null]), watch: [{table: 'task_run'}, {table: 'task_run_state'}]},
  // The middle task run points at a state that does not exist: only possible without the key.
  down: {plant: (dialect) => flowRunAndTasks(dialect, [ids.states[0], ids.missingState, null]), watch: [{table: 'task_run'}, {table: 'task_run_state'}]},
};

/** 38: tag concurrency limits (V1) become V2 limits named tag:<tag>. */
export const tagConcurrencyLimits: DataCase = {
  sqliteRevision: '9e83011d1f2a',
  revisions: {sqlite: {revision: '9e83011d1f2a', downRevision: '8bb517bae6f9'}, postgres: {revision: '9e83011d1f2a', downRevision: '3b86c5ea017a'}},
  up: {
    plant: (dialect) => [
      {
        table: 'concurrency_limit',
        rows: [
          {id: ids.limits[0], tag: 'etl', concurrency_limit: 3, active_slots: JSON.stringify([ids.slotHolders[0], ids.slotHolders[1]]), created: timestamp(dialect, 1), updated: timestamp(dialect, 2)},
          {id: ids.limits[1], tag: 'db', concurrency_limit: 1, active_slots: '[]', created: timestamp(dialect, 3), updated: timestamp(dialect, 4)},
          // A V2 limit of that name already exists: it stays, this row just goes.
          {id: ids.limits[2], tag: 'dup', concurrency_limit: 5, active_slots: JSON.stringify([ids.slotHolders[2]]), created: timestamp(dialect, 5), updated: timestamp(dialect, 6)},
        ],
      },
      {
        table: 'concurrency_limit_v2',
        rows: [
          {id: ids.limits[3], name: 'tag:dup', limit: 9, active: bool(dialect, false), active_slots: 2, denied_slots: 1, slot_decay_per_second: 0.5, avg_slot_occupancy_seconds: 30, created: timestamp(dialect, 7), updated: timestamp(dialect, 8)},
        ],
      },
    ],
    watch: [{table: 'concurrency_limit'}, {table: 'concurrency_limit_v2'}],
  },
  down: {
    plant: (dialect) => [
      {
        table: 'concurrency_limit_v2',
        rows: [
          {id: ids.limits[0], name: 'tag:etl', limit: 3, active: bool(dialect, true), active_slots: 2, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 600, created: timestamp(dialect, 1), updated: timestamp(dialect, 2)},
          // SQLite's LIKE ignores case, so Prefect moves this one there and not on PostgreSQL.
          {id: ids.limits[1], name: 'TAG:Loud', limit: 2, active: bool(dialect, true), active_slots: 0, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 600, created: timestamp(dialect, 3), updated: timestamp(dialect, 4)},
          {id: ids.limits[3], name: 'global-api', limit: 9, active: bool(dialect, false), active_slots: 2, denied_slots: 1, slot_decay_per_second: 0.5, avg_slot_occupancy_seconds: 30, created: timestamp(dialect, 7), updated: timestamp(dialect, 8)},
        ],
      },
    ],
    watch: [{table: 'concurrency_limit'}, {table: 'concurrency_limit_v2'}],
  },
};

function references(dialect: Dialect, pairs: Array<[number, number]>): Planted {
  return [
    ...blockDocuments(dialect),
    {
      table: 'block_document_reference',
      rows: pairs.map(([parent, reference], i) => ({
        id: ids.references[i],
        name: `ref-${i + 1}`,
        parent_block_document_id: ids.blockDocuments[parent],
        reference_block_document_id: ids.blockDocuments[reference],
        created: timestamp(dialect, 30 + i),
        updated: timestamp(dialect, 30 + i),
      })),
    },
  ];
}

/** 41: self-references between block documents are deleted, then forbidden. */
export const blockDocumentSelfReferences: DataCase = {
  sqliteRevision: '2095de406cbe',
  revisions: {sqlite: {revision: '2095de406cbe', downRevision: '4dfa692e02a7'}, postgres: {revision: '7218aad17905', downRevision: '09a9e091e578'}},
  up: {
    plant: (dialect) => references(dialect, [[0, 1], [0, 0], [2, 2], [1, 2]]),
    watch: [{table: 'block_document_reference'}, {table: 'block_document'}],
  },
  down: {plant: (dialect) => references(dialect, [[0, 1], [1, 2]]), watch: [{table: 'block_document_reference'}]},
};

export const LATE_CHAIN_CASES = [deploymentScheduleSlug, workPoolStorage, notificationPolicies, taskRunStateKey, tagConcurrencyLimits, blockDocumentSelfReferences];
