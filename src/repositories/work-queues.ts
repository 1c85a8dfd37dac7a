import type {Knex} from 'knex';

import {STREAM_BATCH, streamRowObjects} from '../db/row-stream.js';
import {notFoundError, usageError} from '../errors.js';
import {decodeRow, existingColumns, limitedList, type RepositoryContext, resolveId, type Row, type LimitedRows} from './common.js';

// PREFECT_SERVER_SERVICES_FOREMAN_WORK_QUEUE_LAST_POLLED_TIMEOUT_SECONDS (and the deployment one).
export const LAST_POLLED_TIMEOUT_SECONDS = 60;

export type WorkQueueStatus = 'READY' | 'NOT_READY' | 'PAUSED';

/** Runs waiting in or taken from a queue, the way an operator triages it. */
export interface QueueRunCounts {
  scheduled: number;
  late: number;
  pending: number;
  running: number;
}

/** A work queue as Prefect's REST API names its fields, plus its run counts. */
export interface WorkQueueRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  description: string | null;
  is_paused: boolean;
  concurrency_limit: number | null;
  priority: number;
  work_pool_id: string;
  work_pool_name: string;
  last_polled: string | null;
  status: WorkQueueStatus;
  filter: unknown;
  flow_run_counts: QueueRunCounts;
}

const QUEUE_COLUMNS = [
  'id', 'created', 'updated', 'name', 'description', 'is_paused', 'concurrency_limit', 'priority', 'work_pool_id',
  'last_polled', 'filter',
] as const;

/** True when `iso` is within the foreman's 60-second polling window before now. */
export function polledRecently(iso: string | null, nowMillis: number): boolean {
  return iso !== null && nowMillis - Date.parse(iso) <= LAST_POLLED_TIMEOUT_SECONDS * 1000;
}

/**
 * The status the foreman would hold now: paused wins, else READY while a worker polled in
 * the last 60 s. (The stored column, absent before 2.18.1, goes stale when no server runs.)
 */
export function workQueueStatus(isPaused: boolean, lastPolled: string | null, nowMillis: number): WorkQueueStatus {
  if (isPaused) return 'PAUSED';
  return polledRecently(lastPolled, nowMillis) ? 'READY' : 'NOT_READY';
}

function baseQuery(ctx: RepositoryContext) {
  return ctx.db
    .knex('work_queue')
    .join('work_pool', 'work_pool.id', 'work_queue.work_pool_id')
    .select(existingColumns(ctx, 'work_queue', QUEUE_COLUMNS).map((column) => `work_queue.${column}`))
    .select({work_pool_name: 'work_pool.name'});
}

async function toQueues(ctx: RepositoryContext, rows: Row[], nowMillis: number): Promise<WorkQueueRecord[]> {
  const counts = await countQueueRuns(ctx, rows.map((row) => String(row.id)));
  return rows.map((raw) => {
    const row = decodeRow(ctx, 'work_queue', raw);
    const id = row.id as string;
    const isPaused = Boolean(row.is_paused);
    const lastPolled = (row.last_polled as string | null) ?? null;
    return {
      id,
      created: row.created as string,
      updated: row.updated as string,
      name: row.name as string,
      description: (row.description as string | null) ?? null,
      is_paused: isPaused,
      concurrency_limit: (row.concurrency_limit as number | null) ?? null,
      priority: row.priority as number,
      work_pool_id: row.work_pool_id as string,
      work_pool_name: raw.work_pool_name as string,
      last_polled: lastPolled,
      status: workQueueStatus(isPaused, lastPolled, nowMillis),
      filter: row.filter ?? null,
      flow_run_counts: counts.get(id) ?? emptyCounts(),
    };
  });
}

function emptyCounts(): QueueRunCounts {
  return {scheduled: 0, late: 0, pending: 0, running: 0};
}

/**
 * Scheduled (not yet late), Late, Pending and Running flow runs per queue. Late is a
 * SCHEDULED state named "Late", so the name splits the SCHEDULED count.
 */
export async function countQueueRuns(ctx: RepositoryContext, queueIds: string[]): Promise<Map<string, QueueRunCounts>> {
  const counts = new Map<string, QueueRunCounts>();
  if (queueIds.length === 0) return counts;
  const rows = (await ctx.db
    .knex('flow_run')
    .select('work_queue_id', 'state_type', 'state_name')
    .count({count: '*'})
    .whereIn('work_queue_id', queueIds)
    .whereIn('state_type', ['SCHEDULED', 'PENDING', 'RUNNING'])
    .groupBy('work_queue_id', 'state_type', 'state_name')) as Array<{
    work_queue_id: string;
    state_type: string;
    state_name: string | null;
    count: number | string;
  }>;
  for (const row of rows) {
    const id = String(row.work_queue_id).toLowerCase();
    const entry = counts.get(id) ?? emptyCounts();
    const key = row.state_type === 'SCHEDULED' ? (row.state_name === 'Late' ? 'late' : 'scheduled') : row.state_type === 'PENDING' ? 'pending' : 'running';
    entry[key] += Number(row.count);
    counts.set(id, entry);
  }
  return counts;
}

export interface WorkQueueListOptions {
  poolName?: string;
  limit?: number;
}

/** Queues ordered by pool name, then priority (1 = first served), as workers see them. */
export async function listWorkQueues(
  ctx: RepositoryContext,
  options: WorkQueueListOptions,
  nowMillis: number,
): Promise<LimitedRows<WorkQueueRecord>> {
  const {query} = await workQueueQuery(ctx, options);
  const result = await limitedList(query, options.limit, async (qb) => (await qb) as Row[]);
  return {rows: await toQueues(ctx, result.rows, nowMillis), total: result.total, totalIsLowerBound: result.totalIsLowerBound};
}

/** Every queue listWorkQueues would give, a batch at a time as read (`--all`), run counts looked up per batch. */
export async function streamWorkQueues(
  ctx: RepositoryContext,
  options: Omit<WorkQueueListOptions, 'limit'>,
  nowMillis: number,
  onBatch: (rows: WorkQueueRecord[]) => Promise<void>,
): Promise<void> {
  const {query} = await workQueueQuery(ctx, options);
  await streamRowObjects(ctx.db, query, STREAM_BATCH, async (rows) => onBatch(await toQueues(ctx, rows, nowMillis)));
}

/** Wrapped in an object: a query builder is thenable, so awaiting one would run it. */
async function workQueueQuery(ctx: RepositoryContext, options: Omit<WorkQueueListOptions, 'limit'>): Promise<{query: Knex.QueryBuilder}> {
  let query = baseQuery(ctx);
  if (options.poolName !== undefined) {
    const pool = await ctx.db.knex('work_pool').where('name', options.poolName).first('id');
    if (!pool) throw notFoundError(`no work pool named "${options.poolName}"`);
    query = query.where('work_queue.work_pool_id', pool.id);
  }
  query = query.orderBy([
    {column: 'work_pool.name'},
    {column: 'work_queue.priority'},
    {column: 'work_queue.name'},
    {column: 'work_queue.id'},
  ]);
  return {query};
}

/** The queues of one pool by priority. */
export async function listPoolQueues(ctx: RepositoryContext, poolId: string, nowMillis: number): Promise<WorkQueueRecord[]> {
  const rows = await baseQuery(ctx)
    .where('work_queue.work_pool_id', poolId)
    .orderBy([{column: 'work_queue.priority'}, {column: 'work_queue.name'}, {column: 'work_queue.id'}]);
  return toQueues(ctx, rows, nowMillis);
}

/**
 * Finds a queue by "pool/queue", by a queue name unique across pools, or by id or unique
 * id prefix. A name held by queues in several pools asks for the pool.
 */
export async function findWorkQueue(ctx: RepositoryContext, reference: string, nowMillis: number): Promise<WorkQueueRecord> {
  const slash = reference.indexOf('/');
  if (slash > 0) {
    const [poolName, queueName] = [reference.slice(0, slash), reference.slice(slash + 1)];
    const rows = await baseQuery(ctx).where('work_pool.name', poolName).andWhere('work_queue.name', queueName);
    if (rows.length === 0) throw notFoundError(`no work queue "${queueName}" in work pool "${poolName}"`);
    return (await toQueues(ctx, rows, nowMillis))[0];
  }
  const byName = await baseQuery(ctx).where('work_queue.name', reference).orderBy('work_pool.name');
  if (byName.length > 1) {
    const pools = byName.map((row: Row) => `${row.work_pool_name}/${reference}`);
    throw usageError(`work queue name "${reference}" is in several pools: give one of ${pools.join(', ')}`);
  }
  if (byName.length === 1) return (await toQueues(ctx, byName, nowMillis))[0];
  if (!/^[0-9a-f-]+$/i.test(reference)) throw notFoundError(`no work queue named "${reference}"`);
  const id = await resolveId(ctx, 'work_queue', reference, 'work queue');
  return (await toQueues(ctx, await baseQuery(ctx).where('work_queue.id', id), nowMillis))[0];
}
