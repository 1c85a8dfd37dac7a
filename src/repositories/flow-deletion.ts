import type {Knex} from 'knex';

import {whereIdIn} from '../db/sql-dialect.js';

import type {RepositoryContext} from './common.js';
import {chunks} from './run-deletion.js';

/**
 * The SQL of `flow delete` beyond its runs (those go through run-deletion.ts): the flow's
 * deployments with what hangs from them — schedules and versions by cascade, and each one's
 * `deployment:<id>` concurrency limit, which Prefect's delete_deployment removes — and the flow.
 */

/** A page of the flow's run ids in id order, after `after`. */
export async function flowRunIdsOfFlow(trx: Knex.Transaction, flowId: string, after: string | undefined, size: number): Promise<string[]> {
  const query = trx('flow_run').where('flow_id', flowId).orderBy('id').limit(size).select('id');
  if (after !== undefined) query.where('id', '>', after);
  return ((await query) as Array<{id: string}>).map((r) => String(r.id).toLowerCase());
}

export async function countFlowRuns(ctx: RepositoryContext, flowId: string): Promise<number> {
  const [{n}] = await ctx.db.knex('flow_run').where('flow_id', flowId).count({n: '*'});
  return Number(n);
}

export interface FlowRemainsDeleted {
  flow: number;
  deployment: number;
  deployment_schedule: number;
  deployment_version: number;
  concurrency_limit_v2: number;
}

/**
 * Deletes the flow's deployments, their concurrency limits, and the flow; returns rows per
 * table. With `countOnly` (dry runs) nothing is deleted: deleting the flow while its runs are
 * still there would cascade through all of them only to be rolled back.
 */
export async function deleteFlowAndDeployments(ctx: RepositoryContext, trx: Knex.Transaction, flowId: string, countOnly = false): Promise<FlowRemainsDeleted> {
  const deployments = ((await trx('deployment').where('flow_id', flowId).select('id')) as Array<{id: string}>).map((r) => String(r.id).toLowerCase());
  const counted = async (table: string) => {
    if (!ctx.schema.hasTable(table)) return 0;
    let n = 0;
    for (const part of chunks(deployments)) n += Number((await trx(table).where((q) => whereIdIn(q, 'deployment_id', part)).count({n: '*'}))[0].n);
    return n;
  };
  const deleted: FlowRemainsDeleted = {
    flow: 0,
    deployment: deployments.length,
    deployment_schedule: await counted('deployment_schedule'),
    deployment_version: await counted('deployment_version'),
    concurrency_limit_v2: 0,
  };
  if (ctx.schema.hasColumn('deployment', 'concurrency_limit_id')) {
    for (const part of chunks(deployments)) {
      const limits = trx('concurrency_limit_v2').whereIn('id', trx('deployment').where((q) => whereIdIn(q, 'id', part)).whereNotNull('concurrency_limit_id').select('concurrency_limit_id'));
      deleted.concurrency_limit_v2 += Number(countOnly ? (await limits.clone().count({n: '*'}))[0].n : await limits.delete());
    }
  }
  if (countOnly) return {...deleted, flow: 1};
  // Schedules and versions go with their deployment (ON DELETE CASCADE).
  for (const part of chunks(deployments)) await trx('deployment').where((q) => whereIdIn(q, 'id', part)).delete();
  deleted.flow = Number(await trx('flow').where('id', flowId).delete());
  return deleted;
}
