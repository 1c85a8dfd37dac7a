import {notFoundError} from '../errors.js';
import {newUuid4} from '../db/ids.js';
import {type Db, type RepositoryContext, type Row} from './common.js';
import {encodeRowValues, quoteIdentifier, valuesPlaceholders} from './encode-rows.js';
import {findColumn} from '../schema/head.js';

/**
 * Pauses or resumes a deployment. Before Prefect 2.16 there was no `paused` column: a
 * deployment was paused by switching its schedule off (is_schedule_active), as that
 * release's API did.
 */
export async function setDeploymentPaused(ctx: RepositoryContext, db: Db, deploymentId: string, paused: boolean, now: string): Promise<void> {
  const {codec} = ctx.db;
  const column = ctx.schema.hasColumn('deployment', 'paused') ? {paused: codec.encodeBoolean(paused)} : {is_schedule_active: codec.encodeBoolean(!paused)};
  await db('deployment').where('id', codec.encodeUuid(deploymentId)).update({...column, updated: codec.encodeTimestamp(now)});
}

/** Sets deployment columns (domain values, encoded here) and bumps `updated`. */
export async function updateDeploymentColumns(ctx: RepositoryContext, db: Db, deploymentId: string, changes: Row, now: string): Promise<void> {
  const {codec} = ctx.db;
  const encoded: Record<string, unknown> = {updated: codec.encodeTimestamp(now)};
  for (const [column, value] of Object.entries(changes)) {
    const type = findColumn('deployment', column)?.type;
    if (!type) throw new Error(`the schema catalogue has no column deployment.${column}`);
    encoded[column] = codec.encode(type, value);
  }
  await db('deployment').where('id', codec.encodeUuid(deploymentId)).update(encoded);
}

/** Deletes the deployment's concurrency_limit_v2 row (the one its concurrency_limit_id points at). */
export async function deleteDeploymentConcurrencyLimit(ctx: RepositoryContext, db: Db, deploymentId: string): Promise<number> {
  if (!ctx.schema.hasColumn('deployment', 'concurrency_limit_id')) return 0;
  const row = await db('deployment').where('id', ctx.db.codec.encodeUuid(deploymentId)).first('concurrency_limit_id');
  if (!row?.concurrency_limit_id) return 0;
  return Number(await db('concurrency_limit_v2').where('id', row.concurrency_limit_id).delete());
}

export async function deleteDeploymentRow(ctx: RepositoryContext, db: Db, deploymentId: string): Promise<void> {
  await db('deployment').where('id', ctx.db.codec.encodeUuid(deploymentId)).delete();
}

/**
 * Prefect's _create_or_update_deployment_concurrency_limit: the deployment's limit lives in
 * a concurrency_limit_v2 row named "deployment:<id>" (created with the ORM's defaults,
 * updated in place, or deleted for no limit), mirrored in deployment.concurrency_limit.
 */
export async function setDeploymentConcurrencyLimit(ctx: RepositoryContext, db: Db, deploymentId: string, limit: number | null, now: string): Promise<void> {
  const {codec} = ctx.db;
  const current = await db('deployment').where('id', codec.encodeUuid(deploymentId)).first('concurrency_limit_id');
  const limitId = (current?.concurrency_limit_id as string | null) ?? null;
  if (limit === null) {
    if (limitId) await db('concurrency_limit_v2').where('id', limitId).delete();
    await updateDeploymentColumns(ctx, db, deploymentId, {concurrency_limit: null, concurrency_limit_id: null}, now);
    return;
  }
  if (limitId) {
    await db('concurrency_limit_v2').where('id', limitId).update({limit, updated: codec.encodeTimestamp(now)});
    await updateDeploymentColumns(ctx, db, deploymentId, {concurrency_limit: limit}, now);
    return;
  }
  const id = newUuid4();
  const row: Row = {
    id, created: now, updated: now, active: true, name: `deployment:${deploymentId}`, limit,
    active_slots: 0, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 2,
  };
  const columns = Object.keys(row).filter((c) => ctx.schema.hasColumn('concurrency_limit_v2', c));
  await db.raw(
    `insert into concurrency_limit_v2 (${columns.map(quoteIdentifier).join(', ')}) values ${valuesPlaceholders(columns.length, 1)}`,
    encodeRowValues(ctx, 'concurrency_limit_v2', columns, [row]),
  );
  await updateDeploymentColumns(ctx, db, deploymentId, {concurrency_limit: limit, concurrency_limit_id: id}, now);
}

/** The id of queue `queue` in pool `pool`, or of the pool's default queue. Not found → exit 3. */
export async function workQueueIdIn(ctx: RepositoryContext, db: Db, pool: string, queue: string | undefined): Promise<string> {
  const poolRow = await db('work_pool').where('name', pool).first('id', 'default_queue_id');
  if (!poolRow) throw notFoundError(`no work pool named "${pool.slice(0, 60)}"`);
  if (queue === undefined) return String(poolRow.default_queue_id).toLowerCase();
  const queueRow = await db('work_queue').where({work_pool_id: poolRow.id, name: queue}).first('id');
  if (!queueRow) throw notFoundError(`work pool "${pool.slice(0, 60)}" has no queue named "${queue.slice(0, 60)}" (create it first)`);
  return String(queueRow.id).toLowerCase();
}

/** The pool a queue belongs to. */
export async function poolNameOfQueue(db: Db, queueId: string | null): Promise<string | null> {
  if (!queueId) return null;
  const row = await db('work_queue').join('work_pool', 'work_pool.id', 'work_queue.work_pool_id').where('work_queue.id', queueId).first({name: 'work_pool.name'});
  return (row?.name as string | undefined) ?? null;
}
