import type {Column, Index, Table} from '../types.js';
import {
  BASE_COLUMNS,
  caseInsensitiveNameIndex,
  column,
  EMPTY_LIST,
  EMPTY_OBJECT,
  FALSE,
  indexesOn,
  NOW,
  required,
  trigramNameIndex,
  ZERO,
} from '../parts.js';

// Flows, flow runs, task runs, their states, and what hangs off runs (inputs, logs).

export const flow: Table = {
  name: 'flow',
  columns: [...BASE_COLUMNS, required('name', 'string'), required('tags', 'json', {default: EMPTY_LIST}), column('labels', 'json')],
  uniques: [{columns: ['name']}],
  indexes: [...indexesOn('created', 'updated'), caseInsensitiveNameIndex('flow', 'nocase'), trigramNameIndex('flow')],
};

/** The columns flow_run and task_run share (Prefect's Run mixin), up to total_run_time. */
const RUN_COLUMNS: readonly Column[] = [
  ...BASE_COLUMNS,
  required('name', 'string'),
  column('state_type', 'enum', {enumName: 'state_type'}),
  required('run_count', 'integer', {default: ZERO}),
  column('expected_start_time', 'timestamp'),
  column('next_scheduled_start_time', 'timestamp'),
  column('start_time', 'timestamp'),
  column('end_time', 'timestamp'),
  required('total_run_time', 'interval', {default: {kind: 'zero_interval'}}),
];

/** The *_desc indexes are DESC on PostgreSQL only: SQLite lost DESC in a table rebuild. */
function runTimeIndexes(table: 'flow_run' | 'task_run'): Index[] {
  return [
    {name: `ix_${table}__end_time_desc`, keys: [{column: 'end_time', descendingOn: ['postgres']}]},
    {name: `ix_${table}__expected_start_time_desc`, keys: [{column: 'expected_start_time', descendingOn: ['postgres']}]},
    {name: `ix_${table}__next_scheduled_start_time_asc`, keys: ['next_scheduled_start_time']},
    {keys: ['start_time']},
  ];
}

export const flowRun: Table = {
  name: 'flow_run',
  columns: [
    ...RUN_COLUMNS,
    column('flow_version', 'string'),
    required('parameters', 'json', {default: EMPTY_OBJECT}),
    column('idempotency_key', 'string'),
    required('context', 'json', {default: EMPTY_OBJECT}),
    required('empirical_policy', 'json', {default: EMPTY_OBJECT}),
    required('tags', 'json', {default: EMPTY_LIST}),
    required('auto_scheduled', 'boolean', {default: FALSE}),
    required('flow_id', 'uuid'),
    column('deployment_id', 'uuid'),
    column('parent_task_run_id', 'uuid'),
    column('state_id', 'uuid'),
    column('state_name', 'string'),
    column('infrastructure_document_id', 'uuid'),
    column('work_queue_name', 'string'),
    column('state_timestamp', 'timestamp'),
    column('created_by', 'json'),
    column('infrastructure_pid', 'string'),
    column('work_queue_id', 'uuid'),
    column('job_variables', 'json', {default: EMPTY_OBJECT}),
    column('deployment_version', 'string'),
    column('labels', 'json'),
  ],
  foreignKeys: [
    {column: 'flow_id', references: 'flow', onDelete: 'CASCADE'},
    {column: 'infrastructure_document_id', references: 'block_document', onDelete: 'CASCADE'},
    {column: 'parent_task_run_id', references: 'task_run', onDelete: 'SET NULL'},
    {column: 'state_id', references: 'flow_run_state', onDelete: 'SET NULL'},
    {column: 'work_queue_id', references: 'work_queue', onDelete: 'SET NULL'},
  ],
  indexes: [
    ...indexesOn(
      'deployment_id',
      'deployment_version',
      'flow_id',
      'flow_version',
      'infrastructure_document_id',
      'name',
      'parent_task_run_id',
      'state_id',
      'state_name',
      'state_timestamp',
      'state_type',
      'updated',
      'work_queue_id',
      'work_queue_name',
    ),
    ...runTimeIndexes('flow_run'),
    {unique: true, keys: ['flow_id', 'idempotency_key']},
    {
      // Hand-truncated to 63 characters by Prefect.
      name: 'ix_flow_run__scheduler_deployment_id_auto_scheduled_next_schedu',
      keys: ['deployment_id', 'auto_scheduled', 'next_scheduled_start_time'],
      where: "state_type = 'SCHEDULED'",
    },
    {
      name: 'ix_flow_run__schedule_id_scheduler',
      keys: [
        'deployment_id',
        {expression: {sqlite: "json_extract(created_by, '$.id')", postgres: "created_by ->> 'id'"}},
        'next_scheduled_start_time',
      ],
      where: {
        sqlite: "state_type = 'SCHEDULED' AND auto_scheduled = 1",
        postgres: "state_type = 'SCHEDULED' AND auto_scheduled = true",
      },
    },
    // SQLite cannot reflect expression indexes, so Prefect's batch rebuilds dropped these there.
    {
      name: 'ix_flow_run__coalesce_start_time_expected_start_time_asc',
      keys: [{expression: {postgres: 'COALESCE(start_time, expected_start_time)'}}],
      only: 'postgres',
    },
    {
      name: 'ix_flow_run__coalesce_start_time_expected_start_time_desc',
      keys: [{expression: {postgres: 'COALESCE(start_time, expected_start_time)'}, descendingOn: ['postgres']}],
      only: 'postgres',
    },
    caseInsensitiveNameIndex('flow_run', 'lost-in-rebuild'),
    trigramNameIndex('flow_run'),
  ],
};

export const taskRun: Table = {
  name: 'task_run',
  columns: [
    ...RUN_COLUMNS,
    required('task_key', 'string'),
    required('dynamic_key', 'string'),
    column('cache_key', 'string'),
    column('cache_expiration', 'timestamp'),
    column('task_version', 'string'),
    required('empirical_policy', 'json', {default: EMPTY_OBJECT}),
    required('task_inputs', 'json', {default: EMPTY_OBJECT}),
    required('tags', 'json', {default: EMPTY_LIST}),
    column('flow_run_id', 'uuid'),
    // A plain column: its foreign key to task_run_state was dropped in Prefect 3.4.7.
    column('state_id', 'uuid'),
    column('state_name', 'string'),
    column('state_timestamp', 'timestamp'),
    required('flow_run_run_count', 'integer', {default: ZERO}),
    column('labels', 'json'),
  ],
  foreignKeys: [{column: 'flow_run_id', references: 'flow_run', onDelete: 'CASCADE'}],
  indexes: [
    ...indexesOn('flow_run_id', 'name', 'state_id', 'state_name', 'state_timestamp', 'state_type', 'updated'),
    ...runTimeIndexes('task_run'),
    {keys: ['state_type', 'start_time']},
    {unique: true, keys: ['flow_run_id', 'task_key', 'dynamic_key']},
    caseInsensitiveNameIndex('task_run', 'lost-in-rebuild'),
    trigramNameIndex('task_run'),
  ],
};

/** flow_run_state and task_run_state differ only in which run they belong to. */
function stateTable(table: 'flow_run_state' | 'task_run_state', run: 'flow_run' | 'task_run'): Table {
  const runId = `${run}_id`;
  return {
    name: table,
    columns: [
      ...BASE_COLUMNS,
      required('type', 'enum', {enumName: 'state_type'}),
      required('timestamp', 'timestamp', {default: NOW}),
      required('name', 'string'),
      column('message', 'string'),
      required('state_details', 'json', {default: EMPTY_OBJECT}),
      column('data', 'json'),
      required(runId, 'uuid'),
      column('result_artifact_id', 'uuid'),
    ],
    foreignKeys: [
      {column: runId, references: run, onDelete: 'CASCADE'},
      {column: 'result_artifact_id', references: 'artifact', onDelete: 'SET NULL'},
    ],
    indexes: [
      ...indexesOn('name', 'type', 'result_artifact_id', 'updated'),
      // One state per run and instant; the DESC was lost on SQLite.
      {
        name: `uq_${table}__${runId}_timestamp_desc`,
        unique: true,
        keys: [runId, {column: 'timestamp', descendingOn: ['postgres']}],
      },
    ],
  };
}

export const flowRunState = stateTable('flow_run_state', 'flow_run');
export const taskRunState = stateTable('task_run_state', 'task_run');

export const taskRunStateCache: Table = {
  name: 'task_run_state_cache',
  columns: [
    ...BASE_COLUMNS,
    required('cache_key', 'string'),
    column('cache_expiration', 'timestamp'),
    required('task_run_state_id', 'uuid'),
  ],
  indexes: [
    {name: 'ix_task_run_state_cache__cache_key_created_desc', keys: ['cache_key', {column: 'created', descendingOn: ['sqlite', 'postgres']}]},
    ...indexesOn('updated'),
  ],
};

export const flowRunInput: Table = {
  name: 'flow_run_input',
  columns: [
    ...BASE_COLUMNS,
    required('key', 'string'),
    required('value', 'text'),
    required('flow_run_id', 'uuid'),
    column('sender', 'string'),
  ],
  uniques: [{columns: ['flow_run_id', 'key']}],
  foreignKeys: [{column: 'flow_run_id', references: 'flow_run', onDelete: 'CASCADE'}],
  indexes: indexesOn('updated'),
};

/** Logs have no foreign keys: they outlive the runs they belong to. */
export const log: Table = {
  name: 'log',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    required('level', 'smallint'),
    column('flow_run_id', 'uuid'),
    column('task_run_id', 'uuid'),
    required('message', 'text'),
    required('timestamp', 'timestamp'),
  ],
  indexes: [...indexesOn('flow_run_id', 'task_run_id', 'level', 'timestamp', 'updated'), {keys: ['flow_run_id', 'timestamp']}],
};

export const RUN_TABLES: readonly Table[] = [flow, flowRun, flowRunState, taskRun, taskRunState, taskRunStateCache, flowRunInput, log];
