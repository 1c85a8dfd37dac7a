import {currentTimestamp, newUuid4, newUuid7} from '../db/ids.js';
import {revisionAtLeast} from '../db/revisions.js';
import {refusedError} from '../errors.js';
import {type RepositoryContext, withTransaction} from '../repositories/common.js';
import {
  countOnlineWorkers,
  countPoolDependents,
  deleteWorkPoolRow,
  insertWorkPoolRow,
  updateWorkPoolRow,
  workPoolNameExists,
} from '../repositories/work-pool-writes.js';
import {findWorkPool, type WorkPoolRecord} from '../repositories/work-pools.js';
import {listPoolQueues, type WorkQueueRecord} from '../repositories/work-queues.js';
import type {WorkerRecord} from '../repositories/workers.js';
import {inTransaction} from './batches.js';
import {assertNotReservedPool, assertPrefectName, isReservedPoolName} from './prefect-names.js';
import {insertQueue} from './work-queues.js';
import type {WriteOptions} from './write-options.js';

/** A pool as `work-pool inspect` shows it. */
export interface WorkPoolDetail {
  pool: WorkPoolRecord;
  queues: WorkQueueRecord[];
  workers: WorkerRecord[];
}

export interface NewWorkPool {
  name: string;
  type: string;
  description?: string | null;
  baseJobTemplate?: Record<string, unknown>;
  paused?: boolean;
  concurrencyLimit?: number | null;
}

export interface WorkPoolChanges {
  description?: string | null;
  is_paused?: boolean;
  base_job_template?: Record<string, unknown>;
  concurrency_limit?: number | null;
}

// Agent pools belong to the retired agents; Prefect never manages their status.
const AGENT_POOL_TYPE = 'prefect-agent';

/**
 * WorkPoolStorageConfiguration() as Prefect's ORM default dumps it; the result storage key
 * arrived in 3.4.0 (head revision 7655f31c5157), the column itself in 3.2.14.
 */
function emptyStorageConfiguration(ctx: RepositoryContext): Record<string, null> {
  const configuration: Record<string, null> = {bundle_upload_step: null, bundle_execution_step: null};
  if (revisionAtLeast(ctx.schema.dialect, ctx.schema.revision, '7655f31c5157')) configuration.default_result_storage_block_id = null;
  return configuration;
}

export async function readWorkPoolDetail(ctx: RepositoryContext, reference: string): Promise<WorkPoolDetail> {
  const now = Date.now();
  const {pool, workers} = await findWorkPool(ctx, reference, now);
  return {pool, workers, queues: await listPoolQueues(ctx, pool.id, now)};
}

/**
 * Creates a pool as Prefect's create_work_pool does: status PAUSED or NOT_READY (agent
 * pools keep the default), then its queue "default" ("The work pool's default queue."),
 * recorded as default_queue_id. Without a template the pool gets {} — a worker fills it in
 * with its type's default template when it first connects.
 */
export async function createWorkPool(ctx: RepositoryContext, input: NewWorkPool, options: WriteOptions = {}): Promise<WorkPoolDetail> {
  assertPrefectName(input.name, 'work pool');
  assertNotReservedPool(input.name, 'created');
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      if (await workPoolNameExists(tx, input.name)) {
        throw refusedError(`a work pool named "${input.name}" already exists (choose another name, or change it with \`work-pool update\`)`);
      }
      const id = newUuid4();
      const now = currentTimestamp();
      const paused = input.paused ?? false;
      await insertWorkPoolRow(tx, {
        id,
        created: now,
        updated: now,
        name: input.name,
        description: input.description ?? null,
        type: input.type,
        base_job_template: input.baseJobTemplate ?? {},
        is_paused: paused,
        concurrency_limit: input.concurrencyLimit ?? null,
        default_queue_id: null,
        status: input.type !== AGENT_POOL_TYPE && paused ? 'PAUSED' : 'NOT_READY',
        storage_configuration: emptyStorageConfiguration(tx),
      });
      const queueId = await insertQueue(tx, id, {name: 'default', description: "The work pool's default queue."});
      await updateWorkPoolRow(tx, id, {default_queue_id: queueId, updated: currentTimestamp()});
      return readWorkPoolDetail(tx, id);
    },
    {rollback: options.dryRun},
  );
}

/**
 * Changes a pool as Prefect's update_work_pool does: pausing sets status PAUSED, resuming
 * READY when a worker is online else NOT_READY (not for agent pools), and a status change
 * records a new last_status_event_id and last_transitioned_status_at. Pools named
 * "prefect…" may only be paused, resumed or given a concurrency limit.
 */
export async function updateWorkPool(ctx: RepositoryContext, reference: string, changes: WorkPoolChanges, options: WriteOptions = {}): Promise<WorkPoolDetail> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const nowMillis = Date.now();
      const {pool} = await findWorkPool(tx, reference, nowMillis);
      const other = Object.keys(changes).filter((key) => key !== 'is_paused' && key !== 'concurrency_limit');
      if (isReservedPoolName(pool.name) && other.length > 0) {
        throw refusedError(`work pools whose names start with "prefect" are reserved: only pause, resume and concurrency limits can be changed`);
      }
      const now = currentTimestamp();
      const values: Record<string, unknown> = {...changes, updated: now};
      if (changes.is_paused !== undefined && pool.type !== AGENT_POOL_TYPE) {
        values.status = changes.is_paused ? 'PAUSED' : (await countOnlineWorkers(tx, pool.id, nowMillis)) > 0 ? 'READY' : 'NOT_READY';
        values.last_status_event_id = newUuid7();
        values.last_transitioned_status_at = now;
      }
      await updateWorkPoolRow(tx, pool.id, values);
      return readWorkPoolDetail(tx, pool.id);
    },
    {rollback: options.dryRun},
  );
}

export interface DeletedWorkPool extends WorkPoolDetail {
  dependents: {queues: number; workers: number; deployments: number; flowRuns: number};
}

/** What a delete would take with it, read before asking for confirmation. */
export async function previewWorkPoolDelete(ctx: RepositoryContext, reference: string): Promise<DeletedWorkPool> {
  const detail = await readWorkPoolDetail(ctx, reference);
  assertNotReservedPool(detail.pool.name, 'deleted');
  return {...detail, dependents: await countPoolDependents(ctx, detail.pool.id)};
}

/** Deletes a pool: queues and workers cascade; deployments and flow runs keep their rows, their queue id set to NULL. */
export async function deleteWorkPool(ctx: RepositoryContext, poolId: string, options: WriteOptions = {}): Promise<void> {
  await inTransaction(ctx.db, async (trx) => deleteWorkPoolRow(withTransaction(ctx, trx), poolId), {rollback: options.dryRun});
}
