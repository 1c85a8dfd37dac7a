import type {StateEntry, StateType} from './bookkeeping.js';
import type {SeededRandom} from './random.js';
import {type Micros, SECOND, seconds} from './time.js';

/**
 * Appends states in time order, never past `now`: a run whose next event would happen in
 * the future simply stays in its current state. Timestamps are strictly increasing, which
 * also keeps them unique per run (the unique (run, timestamp) index).
 */
export class HistoryBuilder {
  readonly states: StateEntry[] = [];

  constructor(private readonly now: Micros) {}

  get last(): StateEntry | undefined {
    return this.states[this.states.length - 1];
  }

  /** Adds the state if `at` is not in the future; returns whether it was added. */
  add(type: StateType, name: string, at: Micros, extra: {scheduledTime?: Micros; message?: string | null} = {}): boolean {
    const previous = this.last;
    const timestamp = previous && at <= previous.timestamp ? previous.timestamp + 1 : at;
    if (timestamp > this.now) return false;
    this.states.push({type, name, timestamp, scheduledTime: extra.scheduledTime, message: extra.message ?? null});
    return true;
  }
}

export type FlowRunOrigin = 'auto-scheduled' | 'manual' | 'ad-hoc';

export interface FlowRunPlan {
  origin: FlowRunOrigin;
  /** When the run should start: the schedule's date, or its creation for ad-hoc runs. */
  expectedStart: Micros;
  /** When the run row was created (Scheduled state's timestamp for deployment runs). */
  created: Micros;
  retries: number;
  retryDelaySeconds: number;
  /** Median seconds in Running for this flow. */
  medianDurationSeconds: number;
}

/** The span of the attempt whose tasks we record, and how the flow run ended. */
export interface FlowRunOutcome {
  states: StateEntry[];
  /** Start of the last RUNNING period, if the run ever ran. */
  lastRunStart: Micros | null;
  /** End of that period (the state that left RUNNING), or null while still running. */
  lastRunEnd: Micros | null;
  retryType: 'in_process' | null;
}

const LATE_AFTER = 15 * SECOND; // PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS
const FAILURE_MESSAGES = [
  "Flow run encountered an exception: ValueError('upstream table is empty')",
  "Flow run encountered an exception: KeyError('customer_id')",
  'Flow run encountered an exception: TimeoutError: request to warehouse timed out after 30s',
];

/**
 * A flow run's state history as Prefect's server would have accepted it: deployment runs
 * start Scheduled (possibly marked Late when no worker picked them up within 15 s), a
 * worker moves them to Pending, the engine to Running, and they end Completed, Failed
 * (after AwaitingRetry rounds when the flow has retries), Crashed, or Cancelled through
 * Cancelling. Ad-hoc runs (flows called directly) begin in Pending.
 */
export function flowRunHistory(plan: FlowRunPlan, now: Micros, random: SeededRandom): FlowRunOutcome {
  const history = new HistoryBuilder(now);
  const outcome = (retryType: 'in_process' | null = null, lastRunStart: Micros | null = null, lastRunEnd: Micros | null = null) => ({
    states: history.states,
    lastRunStart,
    lastRunEnd,
    retryType,
  });

  let infrastructureUp: Micros;
  if (plan.origin === 'ad-hoc') {
    history.add('PENDING', 'Pending', plan.expectedStart);
    infrastructureUp = plan.expectedStart + seconds(random.between(0.05, 1.5));
  } else {
    const scheduledTime = plan.expectedStart;
    history.add('SCHEDULED', 'Scheduled', plan.created, {
      scheduledTime,
      message: plan.origin === 'auto-scheduled' ? 'Flow run scheduled' : null,
    });
    if (random.chance(0.01)) {
      // Cancelled before it started: no infrastructure, so Prefect writes Cancelled directly.
      history.add('CANCELLED', 'Cancelled', plan.created + Math.floor((scheduledTime - plan.created) * random.between(0.1, 0.9)) + 1, {
        message: 'Cancelled by user',
      });
      return outcome();
    }
    const neverPickedUp = random.chance(0.004);
    const pickup = scheduledTime + seconds(random.chance(0.04) ? random.between(20, 1800) : random.between(0.2, 8));
    const lateAt = scheduledTime + LATE_AFTER + seconds(random.between(0, 5));
    if (neverPickedUp || pickup > lateAt) history.add('SCHEDULED', 'Late', lateAt, {scheduledTime});
    if (neverPickedUp || !history.add('PENDING', 'Pending', pickup, {scheduledTime})) return outcome();
    if (random.chance(0.01)) {
      history.add('CRASHED', 'Crashed', pickup + seconds(random.between(5, 60)), {
        message: 'Flow run infrastructure exited with non-zero status code 1.',
      });
      return outcome();
    }
    infrastructureUp = pickup + seconds(random.between(1, 25));
  }

  let attemptStart = infrastructureUp;
  for (let attempt = 1; ; attempt++) {
    if (!history.add('RUNNING', 'Running', attemptStart)) return outcome(attempt > 1 ? 'in_process' : null);
    const runStart = history.last!.timestamp;
    const end = runStart + seconds(random.logNormal(plan.medianDurationSeconds, 0.8)) + 1;
    const result = random.weighted({COMPLETED: 86, FAILED: 8, CRASHED: 3, CANCELLED: 3});
    const retryType = attempt > 1 ? ('in_process' as const) : null;
    if (end > now) return outcome(retryType, runStart, null);
    if (result === 'FAILED' && attempt <= plan.retries) {
      // RetryFailedFlows rejects Failed to AwaitingRetry; the same process retries in place.
      const message = random.pick(FAILURE_MESSAGES);
      const retryAt = end + seconds(plan.retryDelaySeconds);
      history.add('SCHEDULED', 'AwaitingRetry', end, {scheduledTime: retryAt, message});
      attemptStart = retryAt + seconds(random.between(0.01, 0.5));
      continue;
    }
    switch (result) {
      case 'COMPLETED':
        history.add('COMPLETED', 'Completed', end, {message: 'All states completed.'});
        return outcome(retryType, runStart, end);
      case 'FAILED':
        // Retries exhausted: RetryFailedFlows clears retry_type and lets Failed through.
        history.add('FAILED', 'Failed', end, {message: random.pick(FAILURE_MESSAGES)});
        return outcome(null, runStart, end);
      case 'CRASHED':
        history.add('CRASHED', 'Crashed', end, {message: 'Execution was interrupted by an unexpected exception: KeyboardInterrupt'});
        return outcome(retryType, runStart, end);
      case 'CANCELLED':
        history.add('CANCELLING', 'Cancelling', end, {message: 'The flow run was cancelled.'});
        history.add('CANCELLED', 'Cancelled', end + seconds(random.between(1, 10)), {message: 'Flow run was cancelled successfully.'});
        return outcome(retryType, runStart, end);
    }
  }
}

export interface TaskRunWindow {
  /** The task goes Pending here. */
  from: Micros;
  /** Its slice of the flow's last Running period ends here (for the last task: when the flow left Running). */
  until: Micros;
  /** What happens to the task at `until`: the flow's fate for the last task, Completed for the others. */
  ends: 'COMPLETED' | 'FAILED' | 'CRASHED' | 'CANCELLED' | 'RUNNING';
  /** Timestamp of the flow's Cancelled state, when the task is cancelled with it. */
  cancelledAt: Micros | null;
}

/**
 * A task run's history inside its slice of the flow run: Pending → Running → Completed,
 * sometimes through AwaitingRetry → Retrying first. The task that was running when the
 * flow failed fails, when it crashed crashes with it, and when it is still running stays
 * Running; when the flow was cancelled Prefect forces it to Cancelled.
 */
export function taskRunHistory(window: TaskRunWindow, now: Micros, random: SeededRandom): StateEntry[] {
  const history = new HistoryBuilder(now);
  const span = Math.max(window.until - window.from, 10);
  history.add('PENDING', 'Pending', window.from);
  history.add('RUNNING', 'Running', window.from + Math.max(1, Math.floor(span * 0.02)));
  // Tasks retry once (their policy has retries=1): every failing task, and a few that then succeed.
  if (window.ends === 'FAILED' || (window.ends === 'COMPLETED' && random.chance(0.05))) {
    const failedAt = window.from + Math.floor(span * 0.4);
    const retryAt = failedAt + Math.floor(span * 0.1);
    history.add('SCHEDULED', 'AwaitingRetry', failedAt, {scheduledTime: retryAt, message: 'Task run encountered an exception; retry 1/1 is scheduled'});
    history.add('RUNNING', 'Retrying', retryAt);
  }
  switch (window.ends) {
    case 'COMPLETED':
      history.add('COMPLETED', 'Completed', window.until - 1);
      break;
    case 'FAILED':
      history.add('FAILED', 'Failed', window.until - 1, {message: 'Task run encountered an exception ValueError: upstream table is empty'});
      break;
    case 'CANCELLED':
      if (window.cancelledAt !== null) history.add('CANCELLED', 'Cancelled', window.cancelledAt, {message: 'The parent flow run was cancelled.'});
      break;
    case 'CRASHED':
      // The interrupt that crashed the flow reaches the running task first: its engine reports Crashed too.
      history.add('CRASHED', 'Crashed', window.until - 1, {message: 'Execution was interrupted by an unexpected exception: KeyboardInterrupt'});
      break;
    default:
      // The flow is still running: so is the task.
      break;
  }
  return history.states;
}
