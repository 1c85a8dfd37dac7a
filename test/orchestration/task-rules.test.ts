import {expect} from 'chai';

import {releaseTaskConcurrencySlots, secureTaskConcurrencySlots} from '../../src/orchestration/concurrency.js';
import {STATE_TYPES, type ConcurrencyLimitV1Facts, type Effect, type StateType} from '../../src/orchestration/contract.js';
import {preventPendingTransitions, renameReruns} from '../../src/orchestration/generic-rules.js';
import {orchestrateTaskRun} from '../../src/orchestration/index.js';
import {ALL_STATES, rule, type TaskContext} from '../../src/orchestration/rules.js';
import {makeState} from '../../src/orchestration/states.js';
import {
  cacheInsertion,
  cacheRetrieval,
  copyTaskParametersId,
  handleTaskTerminalStateTransitions,
  preventRunningTasksFromStoppedFlows,
  retryFailedTasks,
  updateFlowRunTrackerOnTasks,
} from '../../src/orchestration/task-rules.js';
import {FLOW_RUN_ID, minutesFromNow, NOW, stored, TASK_RUN_ID, taskRun, testEnv, withTaskRules} from './support.js';

const PERSISTED = {storage_key: '/results/abc', serializer: {type: 'pickle'}};
const TERMINAL: StateType[] = ['CANCELLED', 'COMPLETED', 'CRASHED', 'FAILED'];

/** A rule that rejects to another type, so that earlier rules fizzle. */
const mutateTo = (type: StateType) =>
  rule<TaskContext>('StateMutatingRule', ALL_STATES, ALL_STATES, () => ({
    before(ctx, control) {
      control.reject(makeState(type, ctx.env.now), 'gotta fizzle some rules, for fun');
    },
  }));

const abortingRule = rule<TaskContext>('NullifiedTransition', ALL_STATES, ALL_STATES, () => ({
  before(_ctx, control) {
    control.abort('For testing purposes');
  },
}));

describe('TestCopyTaskParametersID', () => {
  for (const from of ['SCHEDULED', 'PENDING'] as const) {
    for (const to of ['PENDING', 'RUNNING'] as const) {
      it(`test_task_parameters_id_copied_from_scheduled_to_pending [${from} => ${to}]`, () => {
        const decision = withTaskRules(taskRun(stored(from, {state_details: {task_parameters_id: 'params-1'}})), {type: to}, [copyTaskParametersId]);
        expect(decision.write?.state_details.task_parameters_id).to.equal('params-1');
      });
    }
    it(`test_task_parameters_id_not_copied_for_other_transitions [${from}]`, () => {
      for (const to of TERMINAL) {
        const decision = withTaskRules(taskRun(stored(from, {state_details: {task_parameters_id: 'params-1'}})), {type: to}, [copyTaskParametersId]);
        expect(decision.write?.state_details.task_parameters_id).to.equal(null);
      }
    });
  }
});

describe('TestCachingBackendLogic', () => {
  const cached = stored('COMPLETED', {id: 'cached-state', data: PERSISTED, state_details: {cache_key: 'cache-hit', task_run_id: 'other-task'}});

  it('test_set_and_retrieve_unexpired_cached_states (insertion)', () => {
    const decision = withTaskRules(
      taskRun(stored('RUNNING')),
      {type: 'COMPLETED', state_details: {cache_key: 'cache-hit', cache_expiration: minutesFromNow(60)}},
      [cacheInsertion, cacheRetrieval],
    );
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.effects).to.deep.equal([
      {kind: 'cache_insertion', cache_key: 'cache-hit', cache_expiration: minutesFromNow(60), task_run_state_id: 'id-1'},
    ]);
  });

  it('test_set_and_retrieve_unexpired_cached_states (retrieval)', () => {
    const decision = withTaskRules(
      taskRun(stored('PENDING'), {cached_state: cached}),
      {type: 'RUNNING', state_details: {cache_key: 'cache-hit'}},
      [cacheInsertion, cacheRetrieval],
    );
    expect(decision).to.deep.include({status: 'REJECT', details: {type: 'reject_details', reason: 'Retrieved state from cache'}});
    expect(decision.write).to.deep.include({id: 'id-1', type: 'COMPLETED', name: 'Cached', timestamp: NOW, result_artifact_id: 'id-2'});
    expect(decision.write?.state_details.cache_key).to.equal('cache-hit');
    expect(decision.state?.data).to.deep.equal(PERSISTED);
  });

  it('test_set_and_retrieve_unexpired_cached_states (no unexpired entry: the caller found none)', () => {
    const decision = withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING', state_details: {cache_key: 'cache-hit'}}, [cacheInsertion, cacheRetrieval]);
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.name).to.equal('Running');
  });

  it('skips the cache when the proposal asks for a refresh', () => {
    const decision = withTaskRules(
      taskRun(stored('PENDING'), {cached_state: cached}),
      {type: 'RUNNING', state_details: {cache_key: 'cache-hit', refresh_cache: true}},
      [cacheRetrieval],
    );
    expect(decision.status).to.equal('ACCEPT');
  });

  it('test_only_cache_completed_states', () => {
    for (const type of STATE_TYPES.filter((t) => t !== 'COMPLETED')) {
      const decision = withTaskRules(taskRun(stored('RUNNING')), {type, state_details: {cache_key: 'cache-hit'}}, [cacheInsertion, cacheRetrieval]);
      expect(decision.effects.filter((e) => e.kind === 'cache_insertion'), type).to.deep.equal([]);
    }
  });

  it('refuses a cache key longer than the limit, yet writes the state and caches it (as Prefect does)', () => {
    const key = 'k'.repeat(2001);
    const decision = withTaskRules(taskRun(stored('RUNNING')), {type: 'COMPLETED', state_details: {cache_key: key}}, [cacheInsertion]);
    expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'Cache key exceeded maximum allowed length of 2000 characters.'});
    expect(decision.write?.type).to.equal('COMPLETED');
    expect(decision.effects).to.have.length(1);
  });
});

describe('TestUpdatingFlowRunTrackerOnTasks', () => {
  for (const flowRunCount of [5, 42]) {
    it(`test_task_runs_track_corresponding_flow_runs [${flowRunCount}]`, () => {
      for (const from of [null, ...STATE_TYPES]) {
        const facts = taskRun(from ? stored(from) : null, {flow_run_run_count: 1, flow_run: {id: FLOW_RUN_ID, run_count: flowRunCount, state: stored('RUNNING')}});
        expect(withTaskRules(facts, {type: 'RUNNING'}, [updateFlowRunTrackerOnTasks]).columns.flow_run_run_count).to.equal(flowRunCount);
      }
    });
  }

  it('test_task_run_tracking_raises_informative_errors_on_missing_flow_runs (prefectdb: leaves the count)', () => {
    const facts = taskRun(stored('PENDING'), {flow_run_run_count: 1, flow_run: null});
    expect(withTaskRules(facts, {type: 'RUNNING'}, [updateFlowRunTrackerOnTasks]).columns).not.to.have.property('flow_run_run_count');
  });
});

describe('TestPermitRerunningFailedTaskRuns', () => {
  const policy = [handleTaskTerminalStateTransitions, updateFlowRunTrackerOnTasks];
  const flowRunAt = (runCount: number) => ({id: FLOW_RUN_ID, run_count: runCount, state: stored('RUNNING')});

  it('test_bypasses_terminal_state_rule_if_flow_is_retrying', () => {
    const facts = taskRun(stored('FAILED'), {flow_run: flowRunAt(4), flow_run_run_count: 2, run_count: 2});
    const decision = withTaskRules(facts, {type: 'RUNNING'}, policy);
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.name).to.equal('Retrying');
    expect(decision.columns).to.deep.include({run_count: 0, flow_run_run_count: 4});
  });

  it('test_can_run_again_even_if_exceeding_flow_runs_count', () => {
    const facts = taskRun(stored('FAILED', {data: 'test'}), {flow_run: flowRunAt(3), flow_run_run_count: 3, run_count: 2});
    const decision = withTaskRules(facts, {type: 'RUNNING'}, policy);
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.name).to.equal('Running');
    expect(decision.columns.run_count).to.equal(0);
    expect(decision.columns).not.to.have.property('flow_run_run_count');
  });

  it('test_bypasses_terminal_state_rule_if_configured_automatic_retries_is_exceeded', () => {
    const facts = taskRun(stored('FAILED'), {flow_run: flowRunAt(4), flow_run_run_count: 2, run_count: 2, empirical_policy: {retries: 1}});
    const decision = withTaskRules(facts, {type: 'RUNNING'}, policy);
    expect(decision.write?.name).to.equal('Retrying');
    expect(decision.columns).to.deep.include({run_count: 0, flow_run_run_count: 4});
  });

  it('test_cleans_up_after_invalid_transition', () => {
    const facts = taskRun(stored('FAILED'), {flow_run: flowRunAt(4), flow_run_run_count: 2, run_count: 2});
    const decision = withTaskRules(facts, {type: 'RUNNING'}, [...policy, mutateTo('COMPLETED')]);
    expect(decision.status).to.equal('REJECT');
    expect(decision.columns).not.to.have.property('run_count');
    expect(decision.columns).not.to.have.property('flow_run_run_count');
  });
});

describe('TestTaskRetryingRule', () => {
  const failing = (runCount: number, empiricalPolicy: Record<string, unknown>, env = testEnv()) =>
    withTaskRules(taskRun(stored('RUNNING'), {run_count: runCount, empirical_policy: empiricalPolicy}), {type: 'FAILED', message: 'oops'}, [retryFailedTasks], env);

  it('test_retry_potential_failures', () => {
    const decision = failing(2, {retries: 2});
    expect(decision).to.deep.include({status: 'REJECT', details: {type: 'reject_details', reason: 'Retrying'}});
    expect(decision.write).to.deep.include({type: 'SCHEDULED', name: 'AwaitingRetry', message: 'oops'});
    expect(decision.write?.state_details.scheduled_time).to.equal(NOW);
  });

  it('test_task_retry_uses_configured_delay', () => {
    expect(failing(2, {retries: 2, retry_delay: 10}).write?.state_details.scheduled_time).to.equal('2026-01-10T12:00:10.000000Z');
  });

  const delays = [2, 3, 5, 7, 11];
  for (const retry of [1, 2, 3, 4, 5]) {
    it(`test_retry_uses_configured_delays [${retry}]`, () => {
      const decision = failing(retry, {retries: 5, retry_delay: delays});
      expect(decision.write?.state_details.scheduled_time).to.equal(`2026-01-10T12:00:${String(delays[retry - 1]).padStart(2, '0')}.000000Z`);
    });
  }

  it('test_retry_uses_falls_back_to_last_delay', () => {
    expect(failing(6, {retries: 6, retry_delay: [2, 3, 5, 7]}).write?.state_details.scheduled_time).to.equal('2026-01-10T12:00:07.000000Z');
  });

  it('test_retries_can_jitter_sleeps', () => {
    const env = testEnv({poissonInterval: (average, clamping) => average * (1 + clamping)});
    expect(failing(2, {retries: 2, retry_delay: 10, retry_jitter_factor: 9}, env).write?.state_details.scheduled_time).to.equal('2026-01-10T12:01:40.000000Z');
  });

  it('test_jitter_with_zero_delay_does_not_raise', () => {
    const env = testEnv({poissonInterval: () => {
      throw new Error('must not be called with a zero delay');
    }});
    expect(failing(1, {retries: 2, retry_jitter_factor: 0.5}, env).write?.state_details.scheduled_time).to.equal(NOW);
  });

  it('test_stops_retrying_eventually', () => {
    const decision = failing(3, {retries: 2});
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.type).to.equal('FAILED');
  });

  it('test_not_retriable_detail_set', () => {
    const facts = taskRun(stored('RUNNING'), {run_count: 1, empirical_policy: {retries: 2}});
    const decision = withTaskRules(facts, {type: 'FAILED', state_details: {retriable: false}}, [retryFailedTasks]);
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.type).to.equal('FAILED');
  });

  it('test_manual_retry_works_even_when_not_retriable', () => {
    const facts = taskRun(stored('RUNNING'), {run_count: 1, empirical_policy: {retries: 2}});
    expect(withTaskRules(facts, {type: 'FAILED', name: 'AwaitingRetry', state_details: {retriable: false}}, [retryFailedTasks]).status).to.equal('ACCEPT');
  });
});

describe('TestRenameRetryingStates', () => {
  it('test_rerun_states_get_renamed', () => {
    const decision = withTaskRules(taskRun(stored('SCHEDULED'), {run_count: 2, empirical_policy: {retries: 2}}), {type: 'RUNNING'}, [renameReruns]);
    expect(decision.write?.name).to.equal('Rerunning');
  });

  it('test_retried_states_get_renamed', () => {
    const facts = taskRun(stored('SCHEDULED', {name: 'AwaitingRetry'}), {run_count: 2, empirical_policy: {retries: 2}});
    expect(withTaskRules(facts, {type: 'RUNNING'}, [renameReruns]).write?.name).to.equal('Retrying');
  });

  it('test_no_rename_on_first_run', () => {
    expect(withTaskRules(taskRun(stored('SCHEDULED')), {type: 'RUNNING'}, [renameReruns]).write?.name).to.equal('Running');
  });
});

describe('TestTransitionsFromTerminalStatesRule (task)', () => {
  it('test_transitions_from_terminal_states_to_crashed_are_aborted', () => {
    for (const type of TERMINAL) {
      const decision = withTaskRules(taskRun(stored(type)), {type: 'CRASHED'}, [handleTaskTerminalStateTransitions]);
      expect(decision.details).to.deep.equal({type: 'abort_details', reason: `Run is already ${type}.`});
    }
  });

  it('test_transitions_from_terminal_states_to_cancelling_are_aborted', () => {
    for (const type of TERMINAL) expect(withTaskRules(taskRun(stored(type)), {type: 'CANCELLING'}, [handleTaskTerminalStateTransitions]).status).to.equal('ABORT');
  });

  it('test_transitions_from_completed_to_non_final_states_allowed_without_persisted_result', () => {
    for (const type of ['SCHEDULED', 'PENDING', 'RUNNING'] as const) {
      const decision = withTaskRules(taskRun(stored('COMPLETED'), {run_count: 1}), {type}, [handleTaskTerminalStateTransitions]);
      expect(decision.status).to.equal('ACCEPT');
      expect(decision.columns.run_count).to.equal(0);
    }
  });

  it('test_transitions_from_completed_to_non_final_states_rejected_with_persisted_result', () => {
    for (const type of ['SCHEDULED', 'PENDING', 'RUNNING'] as const) {
      const decision = withTaskRules(taskRun(stored('COMPLETED', {data: PERSISTED})), {type}, [handleTaskTerminalStateTransitions]);
      expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'This run is already completed.'});
    }
  });

  it('fails (changing nothing) on a Completed state whose data is no object, as Prefect\'s rule does', () => {
    const decision = withTaskRules(taskRun(stored('COMPLETED', {data: 'hello'})), {type: 'RUNNING'}, [handleTaskTerminalStateTransitions]);
    expect(decision).to.deep.include({status: 'ABORT', write: null, columns: {}});
  });

  it('test_does_not_block_transitions_from_non_terminal_states', () => {
    for (const from of [null, 'SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING'] as const) {
      for (const to of STATE_TYPES) {
        expect(withTaskRules(taskRun(from ? stored(from) : null), {type: to}, [handleTaskTerminalStateTransitions]).status).to.equal('ACCEPT');
      }
    }
  });
});

describe('TestPreventRunningTasksFromStoppedFlows', () => {
  const withFlowState = (state: ReturnType<typeof stored> | null) =>
    withTaskRules(taskRun(stored('PENDING'), {flow_run: {id: FLOW_RUN_ID, run_count: 1, state}}), {type: 'RUNNING'}, [preventRunningTasksFromStoppedFlows]);

  it('test_allows_task_runs_to_run', () => {
    expect(withFlowState(stored('RUNNING')).write?.type).to.equal('RUNNING');
  });

  it('test_prevents_tasks_From_running', () => {
    for (const type of STATE_TYPES.filter((t) => t !== 'RUNNING')) {
      const decision = withFlowState(stored(type));
      if (type === 'PAUSED') {
        expect(decision.status).to.equal('REJECT');
        expect(decision.write?.type).to.equal('PAUSED');
      } else {
        expect(decision.details).to.deep.equal({type: 'abort_details', reason: 'The enclosing flow must be running to begin task execution.'});
        expect(decision.state?.type).to.equal('PENDING');
      }
    }
    expect(withFlowState(null).status).to.equal('ABORT');
  });

  it('test_does_not_reuse_state_pk_from_paused_flow_run', () => {
    const decision = withFlowState(stored('PAUSED', {id: 'flow-paused', state_details: {pause_timeout: minutesFromNow(5), pause_reschedule: true}}));
    expect(decision.details).to.deep.equal({type: 'reject_details', reason: `The flow is paused, new tasks can execute after resuming flow run: ${FLOW_RUN_ID}.`});
    expect(decision.write).to.deep.include({id: 'id-1', type: 'PAUSED', name: 'NotReady'});
    expect(decision.write?.state_details).to.deep.include({pause_timeout: minutesFromNow(5), pause_reschedule: true, pause_key: null});
  });

  it('lets a task without a flow run run', () => {
    const decision = withTaskRules(taskRun(stored('PENDING'), {flow_run_id: null, flow_run: null}), {type: 'RUNNING'}, [preventRunningTasksFromStoppedFlows]);
    expect(decision.status).to.equal('ACCEPT');
  });
});

/** Applies V1 slot effects to limit rows, as the caller does. */
function applyV1(limits: ConcurrencyLimitV1Facts[], effects: Effect[]): ConcurrencyLimitV1Facts[] {
  return limits.map((limit) => {
    const slots = new Set(limit.active_slots);
    for (const effect of effects) {
      if (effect.kind !== 'concurrency_limit_v1_slot' || effect.tag !== limit.tag) continue;
      if (effect.action === 'take') slots.add(effect.task_run_id);
      else slots.delete(effect.task_run_id);
    }
    return {...limit, active_slots: [...slots]};
  });
}

describe('TestTaskConcurrencyLimits', () => {
  const policy = [secureTaskConcurrencySlots, releaseTaskConcurrencySlots];
  const task = (id: string, state: StateType, limits: ConcurrencyLimitV1Facts[]) =>
    taskRun(stored(state), {id, tags: limits.map((l) => l.tag), v1_limits: limits});

  it('test_basic_concurrency_limiting', () => {
    let limits: ConcurrencyLimitV1Facts[] = [{tag: 'some tag', concurrency_limit: 1, active_slots: []}];
    const first = withTaskRules(task('task-1', 'PENDING', limits), {type: 'RUNNING'}, policy);
    expect(first.status).to.equal('ACCEPT');
    expect(first.effects).to.deep.equal([{kind: 'concurrency_limit_v1_slot', tag: 'some tag', task_run_id: 'task-1', action: 'take'}]);
    limits = applyV1(limits, first.effects);
    const second = withTaskRules(task('task-2', 'PENDING', limits), {type: 'RUNNING'}, policy);
    expect(second).to.deep.include({
      status: 'WAIT',
      details: {type: 'wait_details', reason: 'Concurrency limit for the some tag tag has been reached', delay_seconds: 10},
      effects: [],
    });
    const completed = withTaskRules(task('task-1', 'RUNNING', limits), {type: 'COMPLETED'}, policy);
    expect(completed.effects).to.deep.equal([{kind: 'concurrency_limit_v1_slot', tag: 'some tag', task_run_id: 'task-1', action: 'release'}]);
    limits = applyV1(limits, completed.effects);
    expect(limits[0].active_slots).to.deep.equal([]);
    expect(withTaskRules(task('task-2', 'PENDING', limits), {type: 'RUNNING'}, policy).status).to.equal('ACCEPT');
  });

  it('test_concurrency_limit_cancelling_transition', () => {
    const limits = [{tag: 'some tag', concurrency_limit: 1, active_slots: ['task-1']}];
    expect(withTaskRules(task('task-1', 'RUNNING', limits), {type: 'CANCELLING'}, policy).effects).to.deep.equal([]);
    const cancelled = withTaskRules(task('task-1', 'CANCELLING', limits), {type: 'CANCELLED'}, policy);
    expect(cancelled.effects).to.deep.equal([{kind: 'concurrency_limit_v1_slot', tag: 'some tag', task_run_id: 'task-1', action: 'release'}]);
  });

  it('test_concurrency_limiting_aborts_transitions_with_zero_limit', () => {
    const decision = withTaskRules(task('task-1', 'PENDING', [{tag: 'the worst limit', concurrency_limit: 0, active_slots: []}]), {type: 'RUNNING'}, policy);
    expect(decision.details).to.deep.equal({
      type: 'abort_details',
      reason: 'The concurrency limit on tag "the worst limit" is 0 and will deadlock if the task tries to run again.',
    });
  });

  it('test_returning_concurrency_slots_on_fizzle', () => {
    const limits = [{tag: 'a nice little limit', concurrency_limit: 1, active_slots: []}];
    const decision = withTaskRules(task('task-1', 'PENDING', limits), {type: 'RUNNING'}, [...policy, mutateTo('FAILED')]);
    expect(decision.status).to.equal('REJECT');
    expect(applyV1(limits, decision.effects)[0].active_slots).to.deep.equal([]);
  });

  it('test_one_run_wont_consume_multiple_slots', () => {
    let limits: ConcurrencyLimitV1Facts[] = [{tag: 'a generous limit', concurrency_limit: 10, active_slots: []}];
    limits = applyV1(limits, withTaskRules(task('task-1', 'PENDING', limits), {type: 'RUNNING'}, policy).effects);
    const duplicate = withTaskRules(task('task-1', 'PENDING', limits), {type: 'RUNNING'}, policy);
    expect(duplicate.status).to.equal('ACCEPT');
    expect(applyV1(limits, duplicate.effects)[0].active_slots).to.deep.equal(['task-1']);
  });

  it('test_task_restart_does_not_consume_multiple_slots', () => {
    let limits: ConcurrencyLimitV1Facts[] = [{tag: 'a generous limit', concurrency_limit: 10, active_slots: []}];
    limits = applyV1(limits, withTaskRules(task('task-1', 'PENDING', limits), {type: 'RUNNING'}, [secureTaskConcurrencySlots]).effects);
    const restart = withTaskRules(task('task-1', 'RUNNING', limits), {type: 'RUNNING'}, [secureTaskConcurrencySlots]);
    expect(applyV1(limits, restart.effects)[0].active_slots).to.deep.equal(['task-1']);
  });

  it('test_concurrency_race_condition_new_tags_arent_double_counted', () => {
    const limits = [
      {tag: 'primary tag', concurrency_limit: 2, active_slots: ['task-1', 'task-2']},
      {tag: 'secondary tag', concurrency_limit: 1, active_slots: ['task-2']},
    ];
    const completed = withTaskRules(task('task-1', 'RUNNING', limits), {type: 'COMPLETED'}, policy);
    expect(completed.effects).to.deep.equal([{kind: 'concurrency_limit_v1_slot', tag: 'primary tag', task_run_id: 'task-1', action: 'release'}]);
  });

  it('test_concurrency_race_condition_limit_decreases_dont_impact_existing_runs', () => {
    const limits = [{tag: 'shrinking limit', concurrency_limit: 0, active_slots: ['task-1']}];
    const completed = withTaskRules(task('task-1', 'RUNNING', limits), {type: 'COMPLETED'}, policy);
    expect(completed.status).to.equal('ACCEPT');
    expect(applyV1(limits, completed.effects)[0].active_slots).to.deep.equal([]);
  });

  it('test_returning_concurrency_slots_when_transitioning_out_of_running_even_on_fizzle', () => {
    const limits = [{tag: 'a nice little limit', concurrency_limit: 1, active_slots: ['task-1']}];
    const decision = withTaskRules(task('task-1', 'RUNNING', limits), {type: 'PENDING'}, [releaseTaskConcurrencySlots, secureTaskConcurrencySlots, mutateTo('FAILED')]);
    expect(decision.status).to.equal('REJECT');
    expect(applyV1(limits, decision.effects)[0].active_slots).to.deep.equal([]);
  });

  it('test_releasing_concurrency_slots_does_not_happen_if_nullified_with_release_first', () => {
    const limits = [{tag: 'a nice little limit', concurrency_limit: 1, active_slots: ['task-1']}];
    const decision = withTaskRules(task('task-1', 'RUNNING', limits), {type: 'PENDING'}, [releaseTaskConcurrencySlots, secureTaskConcurrencySlots, abortingRule]);
    expect(decision).to.deep.include({status: 'ABORT', effects: []});
  });

  it('takes the slots of every tag in tag order, giving back those taken when a later tag is full (Prefect keeps looping)', () => {
    const limits = [
      {tag: 'c', concurrency_limit: 5, active_slots: []},
      {tag: 'b', concurrency_limit: 1, active_slots: ['other']},
      {tag: 'a', concurrency_limit: 5, active_slots: []},
    ];
    const decision = withTaskRules(task('task-1', 'PENDING', limits), {type: 'RUNNING'}, policy);
    expect(decision.status).to.equal('WAIT');
    expect(applyV1(limits, decision.effects).map((l) => l.active_slots)).to.deep.equal([['task-1'], ['other'], []]);
  });
});

describe('TestTaskConcurrencyV2 (tag:<tag> limits)', () => {
  const v2 = (name: string, limit: number, active_slots: number, active = true) => ({id: `limit-${name}`, name: `tag:${name}`, limit, active_slots, active, avg_slot_occupancy_seconds: null});

  it('takes one slot of every active tag limit on the way to Running', () => {
    const facts = taskRun(stored('PENDING'), {tags: ['x', 'y'], v2_limits: [v2('x', 2, 0), v2('y', 3, 1)]});
    const decision = withTaskRules(facts, {type: 'RUNNING'}, [secureTaskConcurrencySlots, releaseTaskConcurrencySlots]);
    expect(decision.effects).to.deep.equal([
      {kind: 'concurrency_limit_v2_slots', limit_id: 'limit-x', name: 'tag:x', delta: 1},
      {kind: 'concurrency_limit_v2_slots', limit_id: 'limit-y', name: 'tag:y', delta: 1},
    ]);
  });

  it('waits when any V2 limit is full, taking nothing', () => {
    const facts = taskRun(stored('PENDING'), {tags: ['x', 'y'], v2_limits: [v2('x', 2, 0), v2('y', 1, 1)]});
    const decision = withTaskRules(facts, {type: 'RUNNING'}, [secureTaskConcurrencySlots]);
    expect(decision).to.deep.include({status: 'WAIT', effects: []});
    expect(decision.details).to.deep.equal({type: 'wait_details', reason: 'Concurrency limit reached for tags: x, y', delay_seconds: 10});
  });

  it('aborts on an active V2 limit of 0', () => {
    const facts = taskRun(stored('PENDING'), {tags: ['x'], v2_limits: [v2('x', 0, 0)]});
    expect(withTaskRules(facts, {type: 'RUNNING'}, [secureTaskConcurrencySlots]).details.reason).to.equal(
      'The concurrency limit on tag "x" is 0 and will deadlock if the task tries to run again.',
    );
  });

  it('a tag with an active V2 limit ignores its V1 limit only when no V1-only tag exists', () => {
    const facts = taskRun(stored('PENDING'), {tags: ['x'], v2_limits: [v2('x', 2, 0)], v1_limits: [{tag: 'x', concurrency_limit: 1, active_slots: ['other']}]});
    expect(withTaskRules(facts, {type: 'RUNNING'}, [secureTaskConcurrencySlots]).status).to.equal('ACCEPT');
  });

  it('releases one slot of each tag limit when leaving Running (prefectdb sees no leases)', () => {
    const facts = taskRun(stored('RUNNING'), {tags: ['x'], v2_limits: [v2('x', 2, 1), v2('off', 2, 1, false)]});
    expect(withTaskRules(facts, {type: 'COMPLETED'}, [releaseTaskConcurrencySlots]).effects).to.deep.equal([
      {kind: 'concurrency_limit_v2_slots', limit_id: 'limit-x', name: 'tag:x', delta: -1},
    ]);
    const fromPending = taskRun(stored('PENDING'), {tags: ['x'], v2_limits: [v2('x', 2, 1)]});
    expect(withTaskRules(fromPending, {type: 'COMPLETED'}, [releaseTaskConcurrencySlots]).effects).to.deep.equal([]);
  });

  it('does not keep a V2 slot for a transition a V1 limit then holds back', () => {
    const facts = taskRun(stored('PENDING'), {tags: ['x', 'y'], v2_limits: [v2('x', 2, 0)], v1_limits: [{tag: 'y', concurrency_limit: 1, active_slots: ['other']}]});
    expect(withTaskRules(facts, {type: 'RUNNING'}, [secureTaskConcurrencySlots])).to.deep.include({status: 'WAIT', effects: []});
  });
});

describe('BackgroundTaskPolicy rules', () => {
  it('PreventPendingTransitions also guards task runs', () => {
    expect(withTaskRules(taskRun(stored('RUNNING')), {type: 'PENDING'}, [preventPendingTransitions]).status).to.equal('ABORT');
  });

  it('a deferred proposal goes through BackgroundTaskPolicy even when forced', () => {
    const decision = orchestrateTaskRun(taskRun(stored('RUNNING')), {type: 'PENDING', state_details: {deferred: true}}, 'minimal', testEnv());
    expect(decision.status).to.equal('ABORT');
    const forced = orchestrateTaskRun(taskRun(stored('RUNNING')), {type: 'PENDING'}, 'minimal', testEnv());
    expect(forced.write?.state_details).to.deep.include({task_run_id: TASK_RUN_ID, flow_run_id: FLOW_RUN_ID});
  });
});

describe('TestSecureTaskConcurrencySlotsV2Integration', () => {
  const v2 = (tag: string, limit: number, active_slots = 0, active = true) => ({id: `limit-${tag}`, name: `tag:${tag}`, limit, active_slots, active, avg_slot_occupancy_seconds: null});
  const v1 = (tag: string, limit: number, active_slots: string[] = []) => ({tag, concurrency_limit: limit, active_slots});
  const secure = (tags: string[], v2Limits: ReturnType<typeof v2>[], v1Limits: ReturnType<typeof v1>[] = [], extra = [] as typeof CORE) =>
    withTaskRules(taskRun(stored('PENDING'), {tags, v2_limits: v2Limits, v1_limits: v1Limits}), {type: 'RUNNING'}, [secureTaskConcurrencySlots, ...extra]);
  const CORE = [secureTaskConcurrencySlots];
  const take = (tag: string) => ({kind: 'concurrency_limit_v2_slots', limit_id: `limit-${tag}`, name: `tag:${tag}`, delta: 1});
  const takeV1 = (tag: string) => ({kind: 'concurrency_limit_v1_slot', tag, task_run_id: TASK_RUN_ID, action: 'take'});

  it('test_v2_limits_take_priority_over_v1', () => {
    expect(secure(['shared'], [v2('shared', 1)], [v1('shared', 2)]).effects).to.deep.equal([take('shared')]);
    expect(secure(['shared'], [v2('shared', 1, 1)], [v1('shared', 2)]).status).to.equal('WAIT');
  });

  it('test_v2_zero_limit_aborts_transition', () => {
    const decision = secure(['zero'], [v2('zero', 0)]);
    expect(decision.status).to.equal('ABORT');
    expect(decision.details.reason).to.contain('is 0 and will deadlock');
  });

  it('test_mixed_v1_v2_tags_on_same_task', () => {
    expect(secure(['v2-tag', 'v1-tag'], [v2('v2-tag', 5)], [v1('v1-tag', 5)]).effects).to.deep.equal([take('v2-tag'), takeV1('v1-tag')]);
  });

  it('test_v2_lease_cleanup_on_abort', () => {
    expect(secure(['zero', 'fine'], [v2('zero', 0), v2('fine', 5)]).effects).to.deep.equal([]);
  });

  it('test_v1_limits_processed_when_no_v2_overlap', () => {
    expect(secure(['v1-only'], [], [v1('v1-only', 1)]).effects).to.deep.equal([takeV1('v1-only')]);
    expect(secure(['v1-only'], [], [v1('v1-only', 1, ['other'])]).status).to.equal('WAIT');
  });

  it('test_v2_cleanup_failure_on_fizzle_propagates (the fizzled rule gives its slots back)', () => {
    const decision = secure(['fizzle'], [v2('fizzle', 5)], [], [mutateTo('PENDING')]);
    expect(decision.effects).to.deep.equal([take('fizzle'), {...take('fizzle'), delta: -1}]);
  });

  it('test_v2_inactive_limits_ignored', () => {
    expect(secure(['inactive-tag'], [v2('inactive-tag', 1, 0, false)], [v1('inactive-tag', 1)]).effects).to.deep.equal([takeV1('inactive-tag')]);
  });

  it('test_v2_tags_excluded_from_v1_processing', () => {
    expect(secure(['both'], [v2('both', 5)], [v1('both', 5)]).effects).to.deep.equal([take('both')]);
  });

  it('test_v2_limits_with_multiple_tags', () => {
    expect(secure(['one', 'two'], [v2('one', 5), v2('two', 5)]).effects).to.deep.equal([take('one'), take('two')]);
  });
});

describe('TestReleaseTaskConcurrencySlotsV2Integration', () => {
  const limits = {tags: ['cycle-v2', 'cycle-v1'], v2_limits: [{id: 'limit-v2', name: 'tag:cycle-v2', limit: 2, active_slots: 1, active: true, avg_slot_occupancy_seconds: null}], v1_limits: [{tag: 'cycle-v1', concurrency_limit: 2, active_slots: [TASK_RUN_ID]}]};

  it('test_v2_and_v1_integration_full_cycle', () => {
    expect(withTaskRules(taskRun(stored('RUNNING'), limits), {type: 'COMPLETED'}, [releaseTaskConcurrencySlots]).effects).to.deep.equal([
      {kind: 'concurrency_limit_v2_slots', limit_id: 'limit-v2', name: 'tag:cycle-v2', delta: -1},
      {kind: 'concurrency_limit_v1_slot', tag: 'cycle-v1', task_run_id: TASK_RUN_ID, action: 'release'},
    ]);
  });

  it('test_release_only_on_terminal_transitions (not while Running or Cancelling)', () => {
    for (const to of ['RUNNING', 'CANCELLING'] as const) {
      expect(withTaskRules(taskRun(stored('RUNNING'), limits), {type: to}, [releaseTaskConcurrencySlots]).effects).to.deep.equal([]);
    }
  });

  it('test_v2_release_with_no_matching_holders (a run that never ran holds nothing)', () => {
    expect(withTaskRules(taskRun(stored('SCHEDULED'), {...limits, v1_limits: []}), {type: 'COMPLETED'}, [releaseTaskConcurrencySlots]).effects).to.deep.equal([]);
  });
});
