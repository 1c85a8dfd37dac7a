import {encodeRow, type RepositoryContext, type Row} from './common.js';
import {listWorkers} from './workers.js';

/** Inserts a work_pool row; columns its revision lacks are left out. */
export async function insertWorkPoolRow(ctx: RepositoryContext, values: Row): Promise<void> {
  await ctx.db.knex('work_pool').insert(encodeRow(ctx, 'work_pool', values));
}

/** Updates a work_pool row; `values` carry `updated` as Prefect's ORM bumps it. */
export async function updateWorkPoolRow(ctx: RepositoryContext, id: string, values: Row): Promise<void> {
  await ctx.db.knex('work_pool').where('id', id).update(encodeRow(ctx, 'work_pool', values));
}

/** Deletes the pool; its queues and workers go by ON DELETE CASCADE, runs and deployments lose their queue id (SET NULL). */
export async function deleteWorkPoolRow(ctx: RepositoryContext, id: string): Promise<void> {
  await ctx.db.knex('work_pool').where('id', id).delete();
}

export async function workPoolNameExists(ctx: RepositoryContext, name: string): Promise<boolean> {
  return Boolean(await ctx.db.knex('work_pool').where('name', name).first('id'));
}

/**
 * Workers Prefect counts as online when a pool is resumed: the stored worker.status (what
 * the server reads), or the heartbeat rule where the column does not exist yet (< 2.18.2).
 */
export async function countOnlineWorkers(ctx: RepositoryContext, poolId: string, nowMillis: number): Promise<number> {
  if (ctx.schema.hasColumn('worker', 'status')) {
    const [{count}] = await ctx.db.knex('worker').where({work_pool_id: poolId, status: 'ONLINE'}).count({count: '*'});
    return Number(count);
  }
  return (await listWorkers(ctx, [poolId], nowMillis)).filter((worker) => worker.status === 'ONLINE').length;
}

/** What deleting a pool takes with it or detaches, for the confirmation and dry-run report. */
export async function countPoolDependents(ctx: RepositoryContext, poolId: string): Promise<{queues: number; workers: number; deployments: number; flowRuns: number}> {
  const {knex} = ctx.db;
  const queueIds = knex('work_queue').select('id').where('work_pool_id', poolId);
  const count = async (query: ReturnType<typeof knex>) => {
    const [row] = (await query.count({count: '*'})) as Array<{count: number | string}>;
    return Number(row.count);
  };
  return {
    queues: await count(knex('work_queue').where('work_pool_id', poolId)),
    workers: await count(knex('worker').where('work_pool_id', poolId)),
    deployments: await count(knex('deployment').whereIn('work_queue_id', queueIds)),
    flowRuns: await count(knex('flow_run').whereIn('work_queue_id', queueIds.clone())),
  };
}
