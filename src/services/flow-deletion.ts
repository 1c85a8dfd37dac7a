import type {Knex} from 'knex';

import type {RepositoryContext} from '../repositories/common.js';
import {countFlowRuns, deleteFlowAndDeployments, type FlowRemainsDeleted, flowRunIdsOfFlow} from '../repositories/flow-deletion.js';
import {findFlow} from '../repositories/flows.js';
import {readRunSamples, type RunSample} from '../repositories/run-samples.js';
import {inTransaction, keysetSource} from './batches.js';
import type {ProgressListener} from './progress.js';
import {deleteRuns, type RunDeletionResult, totalsOf} from './run-deletion.js';

/**
 * `flow delete`: the flow's runs first, batch by batch, exactly as `flow-run delete` deletes
 * them (slots, cascades, logs, artifacts, cache rows, subflows); then, in one short
 * transaction, its deployments (with their schedules, versions and concurrency limits) and
 * the flow. Interrupted, it is finished by running it again.
 */
export interface FlowDeletionResult {
  id: string;
  name: string;
  deleted: FlowRemainsDeleted & RunDeletionResult['deleted'];
  updated: RunDeletionResult['updated'];
  longestBatchMs: number;
}

export async function findFlowToDelete(ctx: RepositoryContext, reference: string): Promise<{id: string; name: string; runs: number}> {
  const flow = await findFlow(ctx, reference);
  return {id: flow.id, name: flow.name, runs: await countFlowRuns(ctx, flow.id)};
}

/** The flow's first runs by id, for the confirmation to name. */
export async function flowRunSample(ctx: RepositoryContext, flowId: string, size: number): Promise<RunSample[]> {
  const ids = await flowRunIdsOfFlow(ctx.db.knex as Knex.Transaction, flowId, undefined, size);
  return readRunSamples(ctx, 'flow_run', ids);
}

export async function deleteFlow(ctx: RepositoryContext, flow: {id: string; name: string; runs: number}, options: {dryRun: boolean; keepSubflows: boolean; onProgress?: ProgressListener}): Promise<FlowDeletionResult> {
  const runs = await deleteRuns(ctx, keysetSource((trx, after, size) => flowRunIdsOfFlow(trx, flow.id, after, size), (id) => id), {
    kind: 'flow_run',
    keepSubflows: options.keepSubflows,
    dryRun: options.dryRun,
    progress: {label: `deleting runs of ${flow.name}`, total: flow.runs, listener: options.onProgress},
  });
  const started = performance.now();
  const remains = await inTransaction(ctx.db, (trx) => deleteFlowAndDeployments(ctx, trx, flow.id, options.dryRun), {rollback: options.dryRun});
  const {updated, ...runRows} = totalsOf(runs.runs);
  return {
    id: flow.id,
    name: flow.name,
    deleted: {...remains, ...runRows},
    updated,
    longestBatchMs: Math.max(runs.batches.longestBatchMs, performance.now() - started),
  };
}
