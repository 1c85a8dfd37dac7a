import type {Table} from '../types.js';
import {BASE_COLUMNS, column, EMPTY_OBJECT, FALSE, indexesOn, literal, NOW, required, trigramNameIndex} from '../parts.js';

// Work pools, their queues and workers, and the legacy agents that polled queues.

export const workPool: Table = {
  name: 'work_pool',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    column('description', 'string'),
    required('type', 'string'),
    required('base_job_template', 'json', {default: EMPTY_OBJECT}),
    required('is_paused', 'boolean', {default: FALSE}),
    column('concurrency_limit', 'integer'),
    column('default_queue_id', 'uuid'),
    required('status', 'enum', {enumName: 'work_pool_status', default: literal('NOT_READY')}),
    column('last_transitioned_status_at', 'timestamp'),
    column('last_status_event_id', 'uuid'),
    required('storage_configuration', 'json', {default: EMPTY_OBJECT}),
  ],
  uniques: [{columns: ['name']}],
  // A pool's default queue cannot be deleted while the pool points at it.
  foreignKeys: [{column: 'default_queue_id', references: 'work_queue', onDelete: 'RESTRICT'}],
  indexes: indexesOn('type', 'updated'),
};

export const workQueue: Table = {
  name: 'work_queue',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    column('filter', 'json'),
    // Prefect's SQLite DDL wraps this default in parentheses (visible in sqlite_master only).
    required('description', 'string', {default: literal(''), defaultSql: {sqlite: "('')"}}),
    required('is_paused', 'boolean', {default: FALSE}),
    column('concurrency_limit', 'integer'),
    column('last_polled', 'timestamp'),
    required('priority', 'integer', {default: literal(1)}),
    required('work_pool_id', 'uuid'),
    required('status', 'enum', {enumName: 'work_queue_status', default: literal('NOT_READY')}),
  ],
  uniques: [{columns: ['work_pool_id', 'name']}],
  foreignKeys: [{column: 'work_pool_id', references: 'work_pool', onDelete: 'CASCADE'}],
  indexes: [...indexesOn('updated', 'work_pool_id'), {keys: ['work_pool_id', 'priority']}, trigramNameIndex('work_queue')],
};

export const worker: Table = {
  name: 'worker',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    required('last_heartbeat_time', 'timestamp', {default: NOW}),
    required('work_pool_id', 'uuid'),
    column('heartbeat_interval_seconds', 'integer'),
    required('status', 'enum', {enumName: 'worker_status', default: literal('OFFLINE')}),
  ],
  uniques: [{columns: ['work_pool_id', 'name']}],
  foreignKeys: [{column: 'work_pool_id', references: 'work_pool', onDelete: 'CASCADE'}],
  indexes: [...indexesOn('updated', 'work_pool_id'), {keys: ['work_pool_id', 'last_heartbeat_time']}],
};

export const agent: Table = {
  name: 'agent',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    required('last_activity_time', 'timestamp', {default: NOW}),
    required('work_queue_id', 'uuid'),
  ],
  uniques: [{columns: ['name']}],
  // No ON DELETE: deleting a queue that agents still reference fails.
  foreignKeys: [{column: 'work_queue_id', references: 'work_queue'}],
  indexes: indexesOn('updated', 'work_queue_id'),
};

export const WORK_POOL_TABLES: readonly Table[] = [workPool, workQueue, worker, agent];
