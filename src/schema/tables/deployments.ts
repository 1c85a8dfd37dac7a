import type {Table} from '../types.js';
import {
  BASE_COLUMNS,
  caseInsensitiveNameIndex,
  column,
  CREATED,
  EMPTY_LIST,
  EMPTY_OBJECT,
  FALSE,
  ID,
  indexesOn,
  literal,
  required,
  trigramNameIndex,
  UPDATED,
} from '../parts.js';

// Deployments, their schedules and their (Cloud-only, unmapped by the OSS ORM) versions.

export const deployment: Table = {
  name: 'deployment',
  columns: [
    ...BASE_COLUMNS,
    required('name', 'string'),
    required('tags', 'json', {default: EMPTY_LIST}),
    required('parameters', 'json', {default: EMPTY_OBJECT}),
    required('flow_id', 'uuid'),
    column('infrastructure_document_id', 'uuid'),
    column('description', 'text'),
    column('parameter_openapi_schema', 'json'),
    column('storage_document_id', 'uuid'),
    column('version', 'string'),
    required('infra_overrides', 'json', {default: EMPTY_OBJECT}),
    column('path', 'string'),
    column('entrypoint', 'string'),
    column('work_queue_name', 'string'),
    column('created_by', 'json'),
    column('updated_by', 'json'),
    column('work_queue_id', 'uuid'),
    column('pull_steps', 'json'),
    required('enforce_parameter_schema', 'boolean', {default: FALSE}),
    column('last_polled', 'timestamp'),
    required('paused', 'boolean', {default: FALSE}),
    required('status', 'enum', {enumName: 'deployment_status', default: literal('NOT_READY')}),
    column('concurrency_limit', 'integer'),
    column('concurrency_options', 'json'),
    column('concurrency_limit_id', 'uuid'),
    column('labels', 'json'),
    column('version_id', 'uuid'),
  ],
  foreignKeys: [
    {column: 'flow_id', references: 'flow', onDelete: 'CASCADE'},
    {column: 'infrastructure_document_id', references: 'block_document', onDelete: 'CASCADE'},
    {column: 'storage_document_id', references: 'block_document', onDelete: 'CASCADE'},
    {column: 'work_queue_id', references: 'work_queue', onDelete: 'SET NULL'},
    {column: 'concurrency_limit_id', references: 'concurrency_limit_v2', onDelete: 'SET NULL'},
  ],
  indexes: [
    ...indexesOn('created', 'flow_id', 'paused', 'updated', 'version_id', 'work_queue_id', 'work_queue_name'),
    {unique: true, keys: ['flow_id', 'name']},
    caseInsensitiveNameIndex('deployment', 'lost-in-rebuild'),
    trigramNameIndex('deployment'),
  ],
};

export const deploymentSchedule: Table = {
  name: 'deployment_schedule',
  columns: [
    ...BASE_COLUMNS,
    required('schedule', 'json'),
    required('active', 'boolean'),
    required('deployment_id', 'uuid'),
    column('max_scheduled_runs', 'integer'),
    required('parameters', 'json', {default: EMPTY_OBJECT}),
    column('slug', 'string'),
  ],
  foreignKeys: [{column: 'deployment_id', references: 'deployment', onDelete: 'CASCADE'}],
  indexes: [
    ...indexesOn('deployment_id', 'slug', 'updated'),
    // A unique index named ix_: slugs are unique per deployment when present.
    {name: 'ix_deployment_schedule__deployment_id__slug', unique: true, keys: ['deployment_id', 'slug'], where: 'slug IS NOT NULL'},
  ],
};

/**
 * Prefect's SQLite migration for this table copied PostgreSQL's defaults: GEN_RANDOM_UUID()
 * does not exist in SQLite (an insert without an id fails) and CURRENT_TIMESTAMP has no
 * fraction. Reproduced as they are, since a Prefect server expects exactly this schema.
 */
export const deploymentVersion: Table = {
  name: 'deployment_version',
  columns: [
    required('deployment_id', 'uuid'),
    column('branch', 'string'),
    required('version_info', 'json', {default: EMPTY_OBJECT}),
    column('description', 'text'),
    required('tags', 'json', {default: EMPTY_LIST}),
    column('labels', 'json'),
    column('entrypoint', 'string'),
    column('pull_steps', 'json'),
    required('parameters', 'json', {default: EMPTY_OBJECT}),
    column('parameter_openapi_schema', 'json'),
    required('enforce_parameter_schema', 'boolean', {default: FALSE}),
    column('work_queue_id', 'uuid'),
    column('work_queue_name', 'string'),
    required('infra_overrides', 'json', {default: EMPTY_OBJECT}),
    {...ID, defaultSql: {sqlite: '(GEN_RANDOM_UUID())'}},
    {...CREATED, defaultSql: {sqlite: 'CURRENT_TIMESTAMP'}},
    {...UPDATED, defaultSql: {sqlite: 'CURRENT_TIMESTAMP'}},
  ],
  foreignKeys: [
    {column: 'deployment_id', references: 'deployment', onDelete: 'CASCADE'},
    {column: 'work_queue_id', references: 'work_queue', onDelete: 'SET NULL'},
  ],
  indexes: [
    ...indexesOn('deployment_id', 'updated', 'work_queue_id', 'work_queue_name'),
    {name: 'uq_deployment_version__deployment__branch', unique: true, keys: ['deployment_id', 'branch']},
  ],
};

export const DEPLOYMENT_TABLES: readonly Table[] = [deployment, deploymentSchedule, deploymentVersion];
