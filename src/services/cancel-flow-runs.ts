import type {Knex} from 'knex';

import type {FlowRunFacts} from '../orchestration/contract.js';
import type {RepositoryContext} from '../repositories/common.js';
import {activeSubflowRunIds, nonTerminalTaskRunIds} from '../repositories/run-children.js';
import {orchestrateBatch, type OrchestrationResult, type Proposal} from './state-change.js';

/**
 * `flow-run cancel`: what `prefect flow-run cancel` proposes (Cancelling, which Prefect's
 * rules turn into Cancelled for runs with no infrastructure), or with --force-cancelled a
 * forced Cancelled; then, for every run that ended Cancelled, what the server's
 * cancellation-cleanup service would do on its next passes to the children.
 */

export const PARENT_CANCELLED_MESSAGE = 'The parent flow run was cancelled.';

export function cancelProposal(forceCancelled: boolean): () => Proposal {
  const proposal: Proposal = forceCancelled ? {proposed: {type: 'CANCELLED'}, policy: 'minimal'} : {proposed: {type: 'CANCELLING'}, policy: 'core'};
  return () => proposal;
}

export interface ChildrenCancelled {
  taskRuns: number;
  subflowRuns: number;
}

/** The runs among `results` that this command moved to Cancelled. */
export function newlyCancelled(results: readonly OrchestrationResult[], writtenIds: ReadonlySet<string>): string[] {
  return results.flatMap((result) => (writtenIds.has(result.id) && result.state?.type === 'CANCELLED' ? [result.id] : []));
}

/**
 * The cleanup service's child handling, down the tree: subflows go to Cancelling when they
 * have a deployment (a worker must stop them) and to Cancelled otherwise; non-terminal task
 * runs are forced to Cancelled. A subflow that ends Cancelled has its own children handled
 * in turn. Subflows go first: each one's new state is forced onto its parent task run, which
 * the task-run pass then finds terminal or finishes.
 */
export async function cancelChildren(ctx: RepositoryContext, trx: Knex.Transaction, cancelledFlowRunIds: readonly string[], tally: ChildrenCancelled): Promise<void> {
  let parents = [...cancelledFlowRunIds];
  const seen = new Set(parents);
  while (parents.length > 0) {
    const subflowIds = (await activeSubflowRunIds(ctx, trx, parents)).filter((id) => !seen.has(id));
    const subflows = await orchestrateBatch({ctx, kind: 'flow_run', propose: subflowProposal}, trx, subflowIds);
    const taskRunIds = await nonTerminalTaskRunIds(ctx, trx, parents);
    const tasks = await orchestrateBatch(
      {ctx, kind: 'task_run', propose: () => ({proposed: {type: 'CANCELLED', message: PARENT_CANCELLED_MESSAGE}, policy: 'minimal'})},
      trx,
      taskRunIds,
    );
    tally.subflowRuns += subflows.writtenIds.size;
    tally.taskRuns += tasks.writtenIds.size;
    parents = newlyCancelled(subflows.results, subflows.writtenIds);
    for (const id of parents) seen.add(id);
  }
}

// cancel_subflow_run: a subflow with a deployment already Cancelling is left to its worker.
function subflowProposal(run: FlowRunFacts): Proposal {
  if (run.deployment_id && run.state?.type === 'CANCELLING') return {refused: 'already cancelling'};
  return {proposed: {type: run.deployment_id ? 'CANCELLING' : 'CANCELLED', message: PARENT_CANCELLED_MESSAGE}, policy: 'minimal'};
}
