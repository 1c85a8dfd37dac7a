/** Prefect's task-run orchestration rules (core_policy.py), tag concurrency aside. */
import {copyJson} from '../db/codecs/json-text.js';
import {ALL_STATES, only, rule, type TaskContext, TERMINAL} from './rules.js';
import {pythonIndex} from './python-semantics.js';
import {readTaskRunPolicy} from './run-policy.js';
import {isTerminal} from './state-names.js';
import {isPersistedResult, isPlainObject, makeState, truthy} from './states.js';
import {addSeconds} from './time.js';

/** A cached COMPLETED state for the proposal's cache key replaces the run (named "Cached"). */
export const cacheRetrieval = rule<TaskContext>('CacheRetrieval', ALL_STATES, only('RUNNING'), () => ({
  before(ctx, control) {
    const proposed = ctx.proposed;
    if (!proposed) return;
    const key = proposed.state_details.cache_key;
    const cached = ctx.run.cached_state;
    if (!key || proposed.state_details.refresh_cache || !cached) return;
    // fresh_copy: same content, a new id and timestamp
    const copy = makeState(cached.type, ctx.env.now, {
      name: 'Cached',
      message: cached.message,
      data: copyJson(cached.data),
      state_details: copyJson(cached.state_details),
    });
    control.reject(copy, 'Retrieved state from cache');
  },
}));

export const handleTaskTerminalStateTransitions = rule<TaskContext>('HandleTaskTerminalStateTransitions', TERMINAL, ALL_STATES, () => {
  let originalRunCount: number | null = null;
  return {
    before(ctx, control) {
      const initial = ctx.initial;
      const proposed = ctx.proposed;
      if (!initial || !proposed) return;
      originalRunCount = ctx.run.run_count;
      if (proposed.type === 'CANCELLING' || proposed.type === 'PAUSED' || proposed.type === 'CRASHED') {
        control.abort(`Run is already ${initial.type}.`);
        return;
      }
      if (initial.type === 'COMPLETED' && truthy(initial.data) && !isPlainObject(initial.data)) {
        // Prefect reads the data as a dict here and fails the request on anything else
        throw new Error('a completed state\'s data that is no object has no result type');
      }
      if (initial.type === 'COMPLETED' && truthy(initial.data) && isPersistedResult(initial.data)) {
        control.reject(null, 'This run is already completed.');
        return;
      }
      // leaving a terminal state resets the retries (a flow run retry re-runs its tasks)
      if (!isTerminal(proposed.type)) ctx.run.run_count = 0;
      const flowRun = ctx.run.flow_run;
      if (proposed.type === 'RUNNING' && ctx.run.flow_run_id !== null && flowRun !== null) {
        if (ctx.run.flow_run_run_count < flowRun.run_count) control.rename('Retrying');
      }
    },
    cleanup(ctx) {
      if (originalRunCount !== null) ctx.run.run_count = originalRunCount;
    },
  };
});

/** Tasks run only inside a running flow; a paused flow parks them as Paused "NotReady". */
export const preventRunningTasksFromStoppedFlows = rule<TaskContext>('PreventRunningTasksFromStoppedFlows', ALL_STATES, only('RUNNING'), () => ({
  before(ctx, control) {
    const flowRun = ctx.run.flow_run_id === null ? null : ctx.run.flow_run;
    if (flowRun === null) return;
    const flowState = flowRun.state;
    if (flowState === null) {
      control.abort('The enclosing flow must be running to begin task execution.');
    } else if (flowState.type === 'PAUSED') {
      const notReady = makeState('PAUSED', ctx.env.now, {
        name: 'NotReady',
        state_details: {pause_timeout: flowState.state_details.pause_timeout, pause_reschedule: flowState.state_details.pause_reschedule},
      });
      control.reject(notReady, `The flow is paused, new tasks can execute after resuming flow run: ${flowRun.id}.`);
    } else if (flowState.type !== 'RUNNING') {
      control.abort('The enclosing flow must be running to begin task execution.');
    }
  },
}));

export const retryFailedTasks = rule<TaskContext>('RetryFailedTasks', only('RUNNING'), only('FAILED'), () => ({
  before(ctx, control) {
    const proposed = ctx.proposed;
    if (!ctx.initial || !proposed) return;
    const policy = readTaskRunPolicy(ctx.run.empirical_policy);
    const runCount = ctx.run.run_count;
    const baseDelay = Array.isArray(policy.retry_delay) ? pythonIndex(policy.retry_delay, Math.min(runCount - 1, policy.retry_delay.length - 1)) : policy.retry_delay || 0;
    const delay = policy.retry_jitter_factor && baseDelay > 0 ? ctx.env.poissonInterval(baseDelay, policy.retry_jitter_factor) : baseDelay;
    if (proposed.state_details.retriable === false) return;
    if (policy.retries !== null && runCount <= policy.retries) {
      const retry = makeState('SCHEDULED', ctx.env.now, {
        name: 'AwaitingRetry',
        message: proposed.message,
        data: proposed.data,
        state_details: {scheduled_time: addSeconds(ctx.env.now, delay)},
      });
      control.reject(retry, 'Retrying');
    }
  },
}));

/** A task entering Running records which flow run attempt it belongs to. */
export const updateFlowRunTrackerOnTasks = rule<TaskContext>('UpdateFlowRunTrackerOnTasks', ALL_STATES, only('RUNNING'), () => ({
  // Prefect fails the request when the flow run is gone; prefectdb leaves the count as it is.
  after(ctx) {
    if (ctx.run.flow_run_id !== null && ctx.run.flow_run !== null) ctx.run.flow_run_run_count = ctx.run.flow_run.run_count;
  },
}));

/** A COMPLETED state with a cache key is cached (a too-long key is refused; the state still stands). */
export const cacheInsertion = rule<TaskContext>('CacheInsertion', ALL_STATES, only('COMPLETED'), () => ({
  before(ctx, control) {
    const proposed = ctx.proposed;
    if (!proposed) return;
    const key = proposed.state_details.cache_key;
    const max = ctx.env.settings.max_cache_key_length;
    if (key && key.length > max) control.reject(proposed, `Cache key exceeded maximum allowed length of ${max} characters.`);
  },
  after(ctx) {
    const validated = ctx.validated;
    if (!validated) return;
    const key = validated.state_details.cache_key;
    if (key) {
      ctx.effects.push({kind: 'cache_insertion', cache_key: key, cache_expiration: validated.state_details.cache_expiration, task_run_state_id: validated.id});
    }
  },
}));

/** Background tasks carry their parameters id from Scheduled to Pending to Running. */
export const copyTaskParametersId = rule<TaskContext>('CopyTaskParametersID', only('SCHEDULED', 'PENDING'), only('PENDING', 'RUNNING'), () => ({
  before(ctx) {
    if (!ctx.initial || !ctx.proposed) return;
    if (!ctx.proposed.state_details.task_parameters_id) {
      ctx.proposed.state_details.task_parameters_id = ctx.initial.state_details.task_parameters_id;
    }
  },
}));
