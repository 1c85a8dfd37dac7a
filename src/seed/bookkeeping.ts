import type {Micros} from './time.js';

export type StateType = 'SCHEDULED' | 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'CRASHED' | 'PAUSED' | 'CANCELLING';

export const TERMINAL_TYPES: ReadonlySet<StateType> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);

/** One accepted state of a run's history. */
export interface StateEntry {
  type: StateType;
  name: string;
  timestamp: Micros;
  /** state_details.scheduled_time (Scheduled states, and Pending ones that copied it; bookkeep reads Scheduled ones' only). */
  scheduledTime?: Micros;
  message: string | null;
}

/** The run columns Prefect denormalises from the state history. */
export interface RunBookkeeping {
  stateType: StateType;
  stateName: string;
  stateTimestamp: Micros;
  startTime: Micros | null;
  endTime: Micros | null;
  /** Time spent in RUNNING, in microseconds. */
  totalRunTime: Micros;
  runCount: number;
  expectedStartTime: Micros | null;
  nextScheduledStartTime: Micros | null;
}

/**
 * Folds a history through the global transforms Prefect applies on every accepted state
 * (orchestration/global_policy.py, behaviour.md §1.3), in their order, so the run columns
 * are exactly what the server would have left. Flow runs here never resume from a pause,
 * so every entry into RUNNING counts, for flow and task runs alike.
 */
export function bookkeep(history: readonly StateEntry[]): RunBookkeeping {
  if (history.length === 0) throw new Error('a run needs at least one state');
  let previous: StateEntry | undefined;
  let startTime: Micros | null = null;
  let endTime: Micros | null = null;
  let totalRunTime = 0;
  let runCount = 0;
  let expectedStartTime: Micros | null = null;
  let nextScheduledStartTime: Micros | null = null;
  for (const state of history) {
    // SetStartTime
    if (state.type === 'RUNNING' && startTime === null) startTime = state.timestamp;
    // SetEndTime: first terminal entry; a run that never ran starts when it ends.
    if (TERMINAL_TYPES.has(state.type)) {
      if (endTime === null) endTime = state.timestamp;
      if (startTime === null) startTime = state.timestamp;
    } else if (previous && TERMINAL_TYPES.has(previous.type)) {
      endTime = null;
    }
    // IncrementRunTime: on leaving RUNNING.
    if (previous?.type === 'RUNNING') totalRunTime += state.timestamp - previous.timestamp;
    // SetExpectedStartTime: once.
    if (expectedStartTime === null) {
      expectedStartTime = state.type === 'SCHEDULED' ? (state.scheduledTime ?? state.timestamp) : state.timestamp;
    }
    // SetNextScheduledStartTime
    if (state.type === 'SCHEDULED') nextScheduledStartTime = state.scheduledTime ?? state.timestamp;
    else if (previous?.type === 'SCHEDULED') nextScheduledStartTime = null;
    // IncrementFlowRunCount / IncrementTaskRunCount
    if (state.type === 'RUNNING') runCount++;
    previous = state;
  }
  const last = history[history.length - 1];
  return {
    stateType: last.type,
    stateName: last.name,
    stateTimestamp: last.timestamp,
    startTime,
    endTime,
    totalRunTime,
    runCount,
    expectedStartTime,
    nextScheduledStartTime,
  };
}
