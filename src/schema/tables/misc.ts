import type {Table} from '../types.js';
import {BASE_COLUMNS, column, EMPTY_LIST, indexesOn, required} from '../parts.js';

// Alembic's version stamp, concurrency limits, and the server's small key/value tables.

/** Alembic's own table: no base columns, and its own primary key name. */
export const alembicVersion: Table = {
  name: 'alembic_version',
  columns: [required('version_num', 'string', {length: 32})],
  primaryKey: {columns: ['version_num'], name: 'alembic_version_pkc'},
};

/** Version 1 limits, emptied into concurrency_limit_v2 by Prefect 3.4.19 but still created. */
export const concurrencyLimit: Table = {
  name: 'concurrency_limit',
  columns: [
    ...BASE_COLUMNS,
    required('tag', 'string'),
    required('concurrency_limit', 'integer'),
    required('active_slots', 'json', {default: EMPTY_LIST}),
  ],
  indexes: [...indexesOn('updated'), {unique: true, keys: ['tag']}],
};

/** No server defaults: Prefect's ORM supplies every value. */
export const concurrencyLimitV2: Table = {
  name: 'concurrency_limit_v2',
  columns: [
    ...BASE_COLUMNS,
    required('active', 'boolean'),
    required('name', 'string'),
    required('limit', 'integer'),
    required('active_slots', 'integer'),
    required('denied_slots', 'integer'),
    required('slot_decay_per_second', 'float'),
    required('avg_slot_occupancy_seconds', 'float'),
  ],
  uniques: [{columns: ['name']}],
  indexes: indexesOn('updated'),
};

export const configuration: Table = {
  name: 'configuration',
  columns: [...BASE_COLUMNS, required('key', 'string'), required('value', 'json')],
  uniques: [{columns: ['key']}],
  indexes: indexesOn('key', 'updated'),
};

export const csrfToken: Table = {
  name: 'csrf_token',
  columns: [required('token', 'string'), required('client', 'string'), required('expiration', 'timestamp'), ...BASE_COLUMNS],
  uniques: [{columns: ['client']}],
  indexes: indexesOn('updated'),
};

export const savedSearch: Table = {
  name: 'saved_search',
  columns: [...BASE_COLUMNS, required('name', 'string'), required('filters', 'json', {default: EMPTY_LIST})],
  uniques: [{columns: ['name']}],
  indexes: indexesOn('updated'),
};

export const variable: Table = {
  name: 'variable',
  columns: [...BASE_COLUMNS, required('name', 'string'), required('tags', 'json', {default: EMPTY_LIST}), column('value', 'json')],
  uniques: [{columns: ['name']}],
  indexes: indexesOn('updated'),
};

export const MISC_TABLES: readonly Table[] = [
  alembicVersion,
  concurrencyLimit,
  concurrencyLimitV2,
  configuration,
  csrfToken,
  savedSearch,
  variable,
];
