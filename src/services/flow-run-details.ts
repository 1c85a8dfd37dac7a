import type {RepositoryContext} from '../repositories/common.js';
import {deploymentLabel} from '../repositories/deployments.js';
import {findParentFlowRun, listSubflowRuns, readFlowRun, type FlowRunRecord, type FlowRunSummary} from '../repositories/flow-runs.js';
import {readStateHistory, type StateHistoryEntry} from '../repositories/run-states.js';
import {countTaskRunsByStateType} from '../repositories/task-runs.js';

/** A flow run as `flow-run inspect` shows it: the API's record with its history, task runs and family. */
export type FlowRunDetail = FlowRunRecord & {
  state_history: StateHistoryEntry[];
  task_run_counts: Record<string, number>;
  subflow_runs: FlowRunSummary[];
  parent_flow_run: FlowRunSummary | null;
};

/** What only the table shows; JSON keeps the API's flow run fields. */
export interface FlowRunTableExtras {
  /** "flow/deployment", or null when the run has no deployment or it is gone. */
  deploymentLabel: string | null;
}

export async function readFlowRunDetail(ctx: RepositoryContext, id: string): Promise<FlowRunDetail> {
  const run = await readFlowRun(ctx, id);
  return {
    ...run,
    state_history: await readStateHistory(ctx, 'flow_run', run.id),
    task_run_counts: await countTaskRunsByStateType(ctx, run.id),
    subflow_runs: await listSubflowRuns(ctx, run.id),
    parent_flow_run: await findParentFlowRun(ctx, run.parent_task_run_id),
  };
}

export async function readFlowRunTableExtras(ctx: RepositoryContext, run: FlowRunRecord): Promise<FlowRunTableExtras> {
  return {deploymentLabel: run.deployment_id ? await deploymentLabel(ctx, run.deployment_id) : null};
}
