/** Prefect's rules shared by flow and task runs (core_policy.py). */
import type {FlowRunFacts, TaskRunFacts} from './contract.js';
import {ALL_STATES, type Context, only, rule} from './rules.js';
import {roundHalfEven} from './python-semantics.js';
import {toMicros} from './time.js';

type AnyContext = Context<FlowRunFacts | TaskRunFacts>;

/** Stops a second worker submitting a run that is already pending, running or cancelled. */
export const preventPendingTransitions = rule<AnyContext>(
  'PreventPendingTransitions',
  only('PENDING', 'CANCELLING', 'RUNNING', 'CANCELLED'),
  only('PENDING'),
  () => ({
    before(ctx, control) {
      const initial = ctx.initial;
      const proposed = ctx.proposed;
      if (!initial || !proposed) return;
      // named Pending sub-states (Submitting, InfrastructurePending) may follow each other
      if (initial.type === 'PENDING' && proposed.type === 'PENDING' && initial.name !== proposed.name && proposed.name !== 'Pending') {
        proposed.state_details.scheduled_time = initial.state_details.scheduled_time;
        proposed.state_details.deployment_concurrency_lease_id = initial.state_details.deployment_concurrency_lease_id;
        return;
      }
      control.abort(`This run is in a ${initial.type} state and cannot transition to a PENDING state.`);
    },
  }),
);

export const copyScheduledTime = rule<AnyContext>('CopyScheduledTime', only('SCHEDULED'), only('PENDING'), () => ({
  before(ctx) {
    if (!ctx.initial || !ctx.proposed) return;
    if (!ctx.proposed.state_details.scheduled_time) ctx.proposed.state_details.scheduled_time = ctx.initial.state_details.scheduled_time;
  },
}));

export const waitForScheduledTime = rule<AnyContext>('WaitForScheduledTime', only('SCHEDULED', 'PENDING'), only('RUNNING'), () => ({
  before(ctx, control) {
    if (!ctx.initial || !ctx.proposed) return;
    const scheduled = ctx.initial.state_details.scheduled_time;
    if (!scheduled) return;
    const delaySeconds = pythonDelaySeconds(toMicros(scheduled) - toMicros(ctx.env.now));
    if (delaySeconds > 0) control.delay(delaySeconds, 'Scheduled time is in the future');
  },
}));

/**
 * Prefect's rounding of a timedelta to whole seconds: floor(total_seconds) plus the rounded
 * microsecond part (Python's timedelta keeps microseconds non-negative).
 */
function pythonDelaySeconds(deltaMicros: number): number {
  const seconds = Math.floor(deltaMicros / 1e6);
  const micros = deltaMicros - seconds * 1e6;
  return seconds + roundHalfEven(micros / 1e6);
}

/** A run entering Running again is "Rerunning", or "Retrying" after AwaitingRetry. */
export const renameReruns = rule<AnyContext>('RenameReruns', ALL_STATES, only('RUNNING'), () => ({
  before(ctx, control) {
    if (!ctx.initial || !ctx.proposed) return;
    if (ctx.run.run_count > 0) control.rename(ctx.initial.name === 'AwaitingRetry' ? 'Retrying' : 'Rerunning');
  },
}));
