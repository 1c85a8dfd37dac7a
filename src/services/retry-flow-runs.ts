import type {FlowRunFacts} from '../orchestration/contract.js';
import {isTerminal} from '../orchestration/state-names.js';
import type {Proposal} from './state-change.js';

/**
 * `flow-run retry`: what `prefect flow-run retry` does for a run with a deployment — a
 * forced Scheduled "Retried via CLI" that a worker picks up. A run that is not terminal, or
 * has no deployment to run it from, is refused with the reason (Prefect would run such a
 * flow's code in-process, which a database tool cannot).
 */
export function retryProposal(run: FlowRunFacts): Proposal {
  if (!run.state || !isTerminal(run.state.type)) {
    return {refused: `the flow run is ${run.state ? run.state.type : 'without a state'}: only runs in a terminal state (COMPLETED, FAILED, CANCELLED, CRASHED) can be retried`};
  }
  if (!run.deployment_id) {
    return {refused: 'the flow run has no deployment, so no worker can pick it up: retry it with `prefect flow-run retry ID --entrypoint FILE:FLOW`'};
  }
  return {proposed: {type: 'SCHEDULED', message: 'Retried via CLI'}, policy: 'minimal'};
}
