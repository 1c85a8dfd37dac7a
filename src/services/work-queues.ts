import {currentTimestamp, newUuid4} from '../db/ids.js';
import {refusedError} from '../errors.js';
import {firstFreePriority, reprioritise} from '../orchestration/queue-priorities.js';
import {type RepositoryContext, withTransaction} from '../repositories/common.js';
import {
  countQueueAgents,
  deleteWorkQueueRow,
  insertWorkQueueRow,
  queueNameExists,
  readDefaultQueueId,
  readQueuePriorities,
  readStoredQueueStatus,
  updateWorkQueueRow,
} from '../repositories/work-queue-writes.js';
import {findWorkPool} from '../repositories/work-pools.js';
import {findWorkQueue, polledRecently, type WorkQueueRecord} from '../repositories/work-queues.js';
import {inTransaction} from './batches.js';
import {assertPrefectName} from './prefect-names.js';
import type {WriteOptions} from './write-options.js';

export interface NewWorkQueue {
  name: string;
  description?: string;
  concurrencyLimit?: number | null;
  priority?: number;
}

export interface WorkQueueChanges {
  name?: string;
  description?: string;
  is_paused?: boolean;
  concurrency_limit?: number | null;
  priority?: number;
}

/**
 * Inserts a queue as Prefect's create_work_queue does: description "" unless given, not
 * paused, status NOT_READY, priority the first gap (else max + 1); a chosen priority that is
 * taken pushes the queues from there down by one. Runs inside the caller's transaction.
 */
export async function insertQueue(ctx: RepositoryContext, poolId: string, queue: NewWorkQueue): Promise<string> {
  assertPrefectName(queue.name, 'work queue');
  if (await queueNameExists(ctx, poolId, queue.name)) {
    throw refusedError(`work queue "${queue.name}" already exists in that pool (choose another name, or change it with \`work-queue update\`)`);
  }
  const existing = await readQueuePriorities(ctx, poolId);
  const id = newUuid4();
  const now = currentTimestamp();
  const priority = queue.priority ?? firstFreePriority(existing.map((q) => q.priority));
  await insertWorkQueueRow(ctx, {
    id,
    created: now,
    updated: now,
    name: queue.name,
    filter: null,
    description: queue.description ?? '',
    is_paused: false,
    concurrency_limit: queue.concurrencyLimit ?? null,
    last_polled: null,
    priority,
    work_pool_id: poolId,
    status: 'NOT_READY',
  });
  if (queue.priority !== undefined) await applyPriorities(ctx, poolId, new Map([[id, queue.priority]]));
  return id;
}

/** Moves colliding queues down, bumping `updated` on each queue whose priority changes. */
async function applyPriorities(ctx: RepositoryContext, poolId: string, wanted: ReadonlyMap<string, number>): Promise<void> {
  const now = currentTimestamp();
  for (const change of reprioritise(await readQueuePriorities(ctx, poolId), wanted)) {
    await updateWorkQueueRow(ctx, change.id, {priority: change.priority, updated: now});
  }
}

export async function createWorkQueue(ctx: RepositoryContext, poolReference: string, queue: NewWorkQueue, options: WriteOptions = {}): Promise<WorkQueueRecord> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const {pool} = await findWorkPool(tx, poolReference, Date.now());
      const id = await insertQueue(tx, pool.id, queue);
      return findWorkQueue(tx, id, Date.now());
    },
    {rollback: options.dryRun},
  );
}

/**
 * Changes a queue as Prefect's update_work_queue does: pausing sets status PAUSED (unless it
 * already is); resuming a PAUSED queue sets NOT_READY, or READY when a worker polled it in
 * the last 60 s; a new priority moves colliding queues down.
 */
export async function updateWorkQueue(ctx: RepositoryContext, reference: string, changes: WorkQueueChanges, options: WriteOptions = {}): Promise<WorkQueueRecord> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const nowMillis = Date.now();
      const queue = await findWorkQueue(tx, reference, nowMillis);
      if (changes.name !== undefined && changes.name !== queue.name) {
        assertPrefectName(changes.name, 'work queue');
        if (await queueNameExists(tx, queue.work_pool_id, changes.name)) {
          throw refusedError(`work queue "${changes.name}" already exists in work pool "${queue.work_pool_name}" (choose another name)`);
        }
      }
      const values: Record<string, unknown> = {...changes, updated: currentTimestamp()};
      if (changes.is_paused !== undefined && tx.schema.hasColumn('work_queue', 'status')) {
        const stored = await readStoredQueueStatus(tx, queue.id);
        if (changes.is_paused && stored !== 'PAUSED') values.status = 'PAUSED';
        if (!changes.is_paused && stored === 'PAUSED') values.status = polledRecently(queue.last_polled, nowMillis) ? 'READY' : 'NOT_READY';
      }
      await updateWorkQueueRow(tx, queue.id, values);
      if (changes.priority !== undefined) await applyPriorities(tx, queue.work_pool_id, new Map([[queue.id, changes.priority]]));
      return findWorkQueue(tx, queue.id, nowMillis);
    },
    {rollback: options.dryRun},
  );
}

/** Deletes a queue; a pool's default queue cannot be deleted (Prefect: "Can't delete a pool's default queue."). */
export async function deleteWorkQueue(ctx: RepositoryContext, reference: string, options: WriteOptions = {}): Promise<WorkQueueRecord> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const queue = await findWorkQueue(tx, reference, Date.now());
      if ((await readDefaultQueueId(tx, queue.work_pool_id)) === queue.id) {
        throw refusedError(`"${queue.work_pool_name}/${queue.name}" is its pool's default queue and cannot be deleted (delete the pool instead)`);
      }
      if ((await countQueueAgents(tx, queue.id)) > 0) {
        throw refusedError(`work queue "${queue.work_pool_name}/${queue.name}" is still used by legacy agents (remove them first)`);
      }
      await deleteWorkQueueRow(tx, queue.id);
      // Prefect re-runs its priority walk after a delete: it only resolves collisions, gaps stay.
      await applyPriorities(tx, queue.work_pool_id, new Map());
      return queue;
    },
    {rollback: options.dryRun},
  );
}
