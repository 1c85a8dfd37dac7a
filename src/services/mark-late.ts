import type {FlowRunFacts} from '../orchestration/contract.js';
import type {FlowRunFilter} from '../repositories/flow-runs.js';
import type {Proposal} from './state-change.js';

/**
 * `flow-run mark-late`: one pass of Prefect's late-runs service. Its selection is every
 * run in a state named exactly "Scheduled" whose next scheduled start is at least `after`
 * seconds old; each is proposed Late, scheduled at that time, through MarkLateRunsPolicy.
 */
export function lateRunsFilter(nowMillis: number, afterSeconds: number): FlowRunFilter {
  return {
    states: {types: ['SCHEDULED'], names: ['Scheduled']},
    nextScheduledBefore: new Date(nowMillis - afterSeconds * 1000).toISOString(),
  };
}

export function markLateProposal(run: FlowRunFacts): Proposal {
  return {
    proposed: {type: 'SCHEDULED', name: 'Late', state_details: {scheduled_time: run.next_scheduled_start_time}},
    policy: 'mark-late',
  };
}
