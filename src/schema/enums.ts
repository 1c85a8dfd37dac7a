import type {EnumDef} from './types.js';

/**
 * Prefect's enums (schema.md §4). PostgreSQL has real enum types; SQLite stores the member
 * name in a VARCHAR sized when the enum was created: state_type stayed VARCHAR(9) when
 * CANCELLING (10 characters) was appended, and SQLite never enforces the length.
 */
export const HEAD_ENUMS: readonly EnumDef[] = [
  {
    name: 'state_type',
    labels: ['SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED', 'PAUSED', 'CANCELLING'],
    sqliteLength: 9,
  },
  {name: 'deployment_status', labels: ['READY', 'NOT_READY'], sqliteLength: 9},
  {name: 'work_pool_status', labels: ['READY', 'NOT_READY', 'PAUSED'], sqliteLength: 9},
  {name: 'work_queue_status', labels: ['READY', 'NOT_READY', 'PAUSED'], sqliteLength: 9},
  {name: 'worker_status', labels: ['ONLINE', 'OFFLINE'], sqliteLength: 7},
];
