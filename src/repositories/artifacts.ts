import type {Knex} from 'knex';

import type {SortChoice} from '../cli/list-flags.js';
import {STREAM_BATCH, streamRowObjects} from '../db/row-stream.js';
import {notFoundError, usageError} from '../errors.js';
import {decodeRow, existingColumns, isUuid, limitedList, type RepositoryContext, resolveId, type Row, type LimitedRows} from './common.js';

/** An artifact as Prefect's REST API names its fields (`metadata_` included). */
export interface ArtifactRecord {
  id: string;
  created: string;
  updated: string;
  key: string | null;
  type: string | null;
  description: string | null;
  data: unknown;
  metadata_: unknown;
  flow_run_id: string | null;
  task_run_id: string | null;
}

/** The latest artifact of a key (artifact_collection), as the API's ArtifactCollection. */
export interface ArtifactCollectionRecord extends ArtifactRecord {
  key: string;
  latest_id: string;
}

const ARTIFACT_COLUMNS = [
  'id', 'created', 'updated', 'key', 'type', 'description', 'data', 'metadata_', 'flow_run_id', 'task_run_id',
] as const;
const COLLECTION_COLUMNS = [...ARTIFACT_COLUMNS, 'latest_id'] as const;

/** Sort keys of `--sort`; versions of one key list newest first, then ties break by id. */
export const ARTIFACT_SORT_FIELDS = {
  key: {column: 'key', defaultDirection: 'asc'},
  created: {column: 'created', defaultDirection: 'desc'},
  updated: {column: 'updated', defaultDirection: 'desc'},
} as const;

export type ArtifactSortField = keyof typeof ARTIFACT_SORT_FIELDS;

export interface ArtifactFilter {
  key?: string;
  type?: string;
  /** Flow run id or id prefix; the run itself may be gone (artifacts have no foreign keys). */
  flowRun?: string;
  taskRun?: string;
}

export interface ArtifactListOptions {
  filter: ArtifactFilter;
  /** Every artifact row instead of the latest per key; includes artifacts without a key. */
  allVersions: boolean;
  sort: SortChoice<ArtifactSortField>;
  limit?: number;
}

function toArtifact(ctx: RepositoryContext, raw: Row): ArtifactRecord {
  const row = decodeRow(ctx, 'artifact', raw);
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    key: (row.key as string | null) ?? null,
    type: (row.type as string | null) ?? null,
    description: (row.description as string | null) ?? null,
    data: row.data ?? null,
    metadata_: row.metadata_ ?? null,
    flow_run_id: (row.flow_run_id as string | null) ?? null,
    task_run_id: (row.task_run_id as string | null) ?? null,
  };
}

function toCollection(ctx: RepositoryContext, raw: Row): ArtifactCollectionRecord {
  const row = decodeRow(ctx, 'artifact_collection', raw);
  return {...toArtifact(ctx, raw), key: row.key as string, latest_id: row.latest_id as string};
}

function whereRunIs(ctx: RepositoryContext, qb: Knex.QueryBuilder, column: string, idOrPrefix: string, noun: string): void {
  const value = idOrPrefix.trim().toLowerCase();
  if (isUuid(value)) qb.where(column, value);
  else if (/^[0-9a-f][0-9a-f-]{0,35}$/.test(value)) ctx.sql.idStartsWith(qb, column, value);
  else throw usageError(`invalid ${noun} id "${idOrPrefix}": expected a UUID or a prefix of one`);
}

function applyFilter(ctx: RepositoryContext, qb: Knex.QueryBuilder, filter: ArtifactFilter): void {
  if (filter.key !== undefined) qb.where('key', filter.key);
  if (filter.type !== undefined) qb.where('type', filter.type);
  if (filter.flowRun !== undefined) whereRunIs(ctx, qb, 'flow_run_id', filter.flowRun, 'flow run');
  if (filter.taskRun !== undefined) whereRunIs(ctx, qb, 'task_run_id', filter.taskRun, 'task run');
}

function orderArtifacts(ctx: RepositoryContext, qb: Knex.QueryBuilder, sort: SortChoice<ArtifactSortField>): void {
  // Artifacts without a key list last on both dialects.
  ctx.sql.orderByNullsLargest(qb, ARTIFACT_SORT_FIELDS[sort.field].column, sort.direction);
  if (sort.field === 'key') qb.orderBy('created', 'desc');
  qb.orderBy('id', sort.direction);
}

/** The latest artifact per key by default, or every artifact row with `allVersions`. */
export async function listArtifacts(
  ctx: RepositoryContext,
  options: ArtifactListOptions,
): Promise<LimitedRows<ArtifactRecord | ArtifactCollectionRecord>> {
  const {query, convert} = artifactQuery(ctx, options);
  return limitedList(query, options.limit, async (qb) => (await qb).map((row: Row) => convert(ctx, row)));
}

/** Every artifact (or key) listArtifacts would give, a batch at a time as read (`--all`): bounded memory at any count. */
export async function streamArtifacts(
  ctx: RepositoryContext,
  options: Omit<ArtifactListOptions, 'limit'>,
  onBatch: (rows: Array<ArtifactRecord | ArtifactCollectionRecord>) => Promise<void>,
): Promise<void> {
  const {query, convert} = artifactQuery(ctx, options);
  await streamRowObjects(ctx.db, query, STREAM_BATCH, (rows) => onBatch(rows.map((row) => convert(ctx, row))));
}

function artifactQuery(ctx: RepositoryContext, options: Omit<ArtifactListOptions, 'limit'>) {
  const table = options.allVersions ? 'artifact' : 'artifact_collection';
  const query = ctx.db.knex(table).select(existingColumns(ctx, table, options.allVersions ? ARTIFACT_COLUMNS : COLLECTION_COLUMNS));
  applyFilter(ctx, query, options.filter);
  orderArtifacts(ctx, query, options.sort);
  return {query, convert: options.allVersions ? toArtifact : toCollection};
}

/** Every version of a key, newest first. */
export async function listArtifactVersions(ctx: RepositoryContext, key: string): Promise<ArtifactRecord[]> {
  const rows: Row[] = await ctx.db
    .knex('artifact')
    .select(existingColumns(ctx, 'artifact', ARTIFACT_COLUMNS))
    .where('key', key)
    .orderBy([{column: 'created', order: 'desc'}, {column: 'id', order: 'desc'}]);
  return rows.map((row) => toArtifact(ctx, row));
}

/** The latest artifact of a key, else the artifact with this id or unique id prefix. */
export async function findArtifact(ctx: RepositoryContext, keyOrId: string): Promise<ArtifactRecord> {
  const columns = existingColumns(ctx, 'artifact', ARTIFACT_COLUMNS);
  const latest = await ctx.db
    .knex('artifact')
    .select(columns)
    .where('key', keyOrId)
    .orderBy([{column: 'created', order: 'desc'}, {column: 'id', order: 'desc'}])
    .first();
  if (latest) return toArtifact(ctx, latest);
  if (!/^[0-9a-f-]+$/i.test(keyOrId)) throw notFoundError(`no artifact with key "${keyOrId}"`);
  const id = await resolveId(ctx, 'artifact', keyOrId, 'artifact');
  return toArtifact(ctx, await ctx.db.knex('artifact').select(columns).where('id', id).first());
}
