import type {StateType} from '../orchestration/contract.js';

/**
 * What a state command is for, by which its exit code is decided: it succeeded for a run
 * that ended in one of these states, whether the rules accepted the proposal or got there
 * another way (Scheduled → Cancelling rejected to Cancelled still cancels), as Prefect's own
 * CLI judges `flow-run cancel`.
 */
export interface StateIntent {
  types: readonly StateType[];
  /** A state name the run must end with too (set-state --state Late, mark-late). */
  name?: string;
  /** For messages: "Cancelling or Cancelled". */
  label: string;
}

export function endedAsIntended(intent: StateIntent, state: {type: string | null; name: string | null}): boolean {
  if (state.type === null || !intent.types.includes(state.type as StateType)) return false;
  return intent.name === undefined || state.name === intent.name;
}

/** The intent of proposing a state: that type, and that name when one was asked for. */
export function intentOfProposal(type: StateType, name?: string | null): StateIntent {
  return {types: [type], name: name ?? undefined, label: name ?? type.charAt(0) + type.slice(1).toLowerCase()};
}
