import type {Table} from '../types.js';
import {BASE_COLUMNS, column, indexesOn, required} from '../parts.js';

// Artifacts and the latest artifact per key. data and metadata_ are plain JSON (PG json,
// not jsonb). Run ids carry no foreign keys: artifacts outlive their runs.

export const artifact: Table = {
  name: 'artifact',
  columns: [
    ...BASE_COLUMNS,
    column('key', 'string'),
    column('type', 'string'),
    column('data', 'json_plain'),
    column('metadata_', 'json_plain'),
    column('task_run_id', 'uuid'),
    column('flow_run_id', 'uuid'),
    column('description', 'string'),
  ],
  indexes: [
    ...indexesOn('key', 'flow_run_id', 'task_run_id', 'updated'),
    {
      name: 'ix_artifact__key_created_desc',
      keys: ['key', {column: 'created', descendingOn: ['sqlite', 'postgres']}],
      include: ['id', 'updated', 'type', 'task_run_id', 'flow_run_id'],
    },
  ],
};

export const artifactCollection: Table = {
  name: 'artifact_collection',
  columns: [
    ...BASE_COLUMNS,
    required('key', 'string'),
    required('latest_id', 'uuid'),
    column('task_run_id', 'uuid'),
    column('flow_run_id', 'uuid'),
    column('type', 'string'),
    column('data', 'json_plain'),
    column('description', 'string'),
    column('metadata_', 'json_plain'),
  ],
  uniques: [{columns: ['key']}],
  indexes: [{keys: ['key', 'latest_id']}, ...indexesOn('updated')],
};

export const ARTIFACT_TABLES: readonly Table[] = [artifact, artifactCollection];
