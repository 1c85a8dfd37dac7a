import type {Knex} from 'knex';

import {STREAM_BATCH, streamRowObjects} from '../db/row-stream.js';
import {notFoundError} from '../errors.js';
import {decodeRow, existingColumns, limitedList, type RepositoryContext, resolveId, type Row, type LimitedRows} from './common.js';
import {listWorkers, type WorkerRecord} from './workers.js';

export type WorkPoolStatus = 'READY' | 'NOT_READY' | 'PAUSED';

/** A work pool as Prefect's REST API names its fields. */
export interface WorkPoolRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  description: string | null;
  type: string;
  base_job_template: unknown;
  is_paused: boolean;
  concurrency_limit: number | null;
  status: WorkPoolStatus | null;
  default_queue_id: string | null;
  storage_configuration: unknown;
}

/** A pool with what `work-pool ls` adds for operators. */
export interface WorkPoolSummary extends WorkPoolRecord {
  work_queue_count: number;
  workers_online: number;
  workers_offline: number;
}

const POOL_COLUMNS = [
  'id', 'created', 'updated', 'name', 'description', 'type', 'base_job_template', 'is_paused', 'concurrency_limit',
  'status', 'default_queue_id', 'storage_configuration',
] as const;

// Pools of this type belong to the retired agents; Prefect never manages their status.
const AGENT_POOL_TYPE = 'prefect-agent';

/**
 * The status Prefect's foreman would hold now: PAUSED when paused, READY with at least one
 * online worker, else NOT_READY. Agent pools keep whatever is stored (null before 2.18.1).
 */
export function workPoolStatus(
  pool: {type: string; is_paused: boolean; storedStatus: WorkPoolStatus | null},
  workers: WorkerRecord[],
): WorkPoolStatus | null {
  if (pool.type === AGENT_POOL_TYPE) return pool.storedStatus;
  if (pool.is_paused) return 'PAUSED';
  return workers.some((worker) => worker.status === 'ONLINE') ? 'READY' : 'NOT_READY';
}

function toPool(ctx: RepositoryContext, raw: Row, workers: WorkerRecord[]): WorkPoolRecord {
  const row = decodeRow(ctx, 'work_pool', raw);
  const isPaused = Boolean(row.is_paused);
  const type = row.type as string;
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    name: row.name as string,
    description: (row.description as string | null) ?? null,
    type,
    base_job_template: row.base_job_template ?? null,
    is_paused: isPaused,
    concurrency_limit: (row.concurrency_limit as number | null) ?? null,
    status: workPoolStatus({type, is_paused: isPaused, storedStatus: (row.status as WorkPoolStatus | null) ?? null}, workers),
    default_queue_id: (row.default_queue_id as string | null) ?? null,
    storage_configuration: row.storage_configuration ?? null,
  };
}

function poolQuery(ctx: RepositoryContext) {
  return ctx.db.knex('work_pool').select(existingColumns(ctx, 'work_pool', POOL_COLUMNS));
}

export async function listWorkPools(
  ctx: RepositoryContext,
  options: {limit?: number},
  nowMillis: number,
): Promise<LimitedRows<WorkPoolSummary>> {
  const result = await limitedList(sortedPools(ctx), options.limit, async (qb) => (await qb) as Row[]);
  return {rows: await toSummaries(ctx, result.rows, nowMillis), total: result.total, totalIsLowerBound: result.totalIsLowerBound};
}

/** Every pool listWorkPools would give, a batch at a time as read (`--all`), workers and queue counts looked up per batch. */
export async function streamWorkPools(ctx: RepositoryContext, nowMillis: number, onBatch: (rows: WorkPoolSummary[]) => Promise<void>): Promise<void> {
  await streamRowObjects(ctx.db, sortedPools(ctx), STREAM_BATCH, async (rows) => onBatch(await toSummaries(ctx, rows, nowMillis)));
}

function sortedPools(ctx: RepositoryContext): Knex.QueryBuilder {
  return poolQuery(ctx).orderBy([{column: 'name'}, {column: 'id'}]);
}

async function toSummaries(ctx: RepositoryContext, raws: Row[], nowMillis: number): Promise<WorkPoolSummary[]> {
  const ids = raws.map((row) => String(row.id));
  const workers = await listWorkers(ctx, ids, nowMillis);
  const queueCounts = await countQueues(ctx, ids);
  return raws.map((raw) => {
    const poolWorkers = workers.filter((worker) => worker.work_pool_id === String(raw.id).toLowerCase());
    const online = poolWorkers.filter((worker) => worker.status === 'ONLINE').length;
    return {
      ...toPool(ctx, raw, poolWorkers),
      work_queue_count: queueCounts.get(String(raw.id).toLowerCase()) ?? 0,
      workers_online: online,
      workers_offline: poolWorkers.length - online,
    };
  });
}

async function countQueues(ctx: RepositoryContext, poolIds: string[]): Promise<Map<string, number>> {
  if (poolIds.length === 0) return new Map();
  const rows = (await ctx.db
    .knex('work_queue')
    .select('work_pool_id')
    .count({count: '*'})
    .whereIn('work_pool_id', poolIds)
    .groupBy('work_pool_id')) as Array<{work_pool_id: string; count: number | string}>;
  return new Map(rows.map((row) => [String(row.work_pool_id).toLowerCase(), Number(row.count)]));
}

/** Finds a pool by exact name, else by id or unique id prefix; returns it with its workers. */
export async function findWorkPool(
  ctx: RepositoryContext,
  nameOrId: string,
  nowMillis: number,
): Promise<{pool: WorkPoolRecord; workers: WorkerRecord[]}> {
  let raw: Row | undefined = await poolQuery(ctx).where('name', nameOrId).first();
  if (!raw) {
    if (!/^[0-9a-f-]+$/i.test(nameOrId)) throw notFoundError(`no work pool named "${nameOrId}"`);
    const id = await resolveId(ctx, 'work_pool', nameOrId, 'work pool');
    raw = (await poolQuery(ctx).where('id', id).first()) as Row;
  }
  const workers = await listWorkers(ctx, [String(raw.id)], nowMillis);
  return {pool: toPool(ctx, raw, workers), workers};
}
