import {encodeRow, type RepositoryContext, type Row} from './common.js';

export async function insertWorkQueueRow(ctx: RepositoryContext, values: Row): Promise<void> {
  await ctx.db.knex('work_queue').insert(encodeRow(ctx, 'work_queue', values));
}

export async function updateWorkQueueRow(ctx: RepositoryContext, id: string, values: Row): Promise<void> {
  await ctx.db.knex('work_queue').where('id', id).update(encodeRow(ctx, 'work_queue', values));
}

/** Deletes a queue; its runs and deployments lose their queue id (SET NULL). */
export async function deleteWorkQueueRow(ctx: RepositoryContext, id: string): Promise<void> {
  await ctx.db.knex('work_queue').where('id', id).delete();
}

/** The queues of a pool with their priorities, lowest priority number first (ties by id). */
export async function readQueuePriorities(ctx: RepositoryContext, poolId: string): Promise<Array<{id: string; priority: number}>> {
  const rows = (await ctx.db
    .knex('work_queue')
    .select('id', 'priority')
    .where('work_pool_id', poolId)
    .orderBy([{column: 'priority'}, {column: 'id'}])) as Array<{id: string; priority: number | string}>;
  return rows.map((row) => ({id: String(row.id).toLowerCase(), priority: Number(row.priority)}));
}

export async function queueNameExists(ctx: RepositoryContext, poolId: string, name: string): Promise<boolean> {
  return Boolean(await ctx.db.knex('work_queue').where({work_pool_id: poolId, name}).first('id'));
}

/** Legacy agents reference queues without ON DELETE: such a queue cannot be deleted. */
export async function countQueueAgents(ctx: RepositoryContext, queueId: string): Promise<number> {
  if (!ctx.schema.hasTable('agent')) return 0;
  const [{count}] = await ctx.db.knex('agent').where('work_queue_id', queueId).count({count: '*'});
  return Number(count);
}

/** The status column as stored (the read side derives a fresh one; Prefect's pause rules compare the stored one). */
export async function readStoredQueueStatus(ctx: RepositoryContext, queueId: string): Promise<string | null> {
  const row = await ctx.db.knex('work_queue').where('id', queueId).first('status');
  return (row?.status as string | undefined) ?? null;
}

export async function readDefaultQueueId(ctx: RepositoryContext, poolId: string): Promise<string | null> {
  const row = await ctx.db.knex('work_pool').where('id', poolId).first('default_queue_id');
  return row?.default_queue_id ? String(row.default_queue_id).toLowerCase() : null;
}
