import {expect} from 'chai';

import {STATE_TYPES, type StateType} from '../../src/orchestration/contract.js';
import {
  bypassCancellingFlowRunsWithNoInfra,
  enforceCancellingToCancelledTransition,
  ensureOnlyScheduledFlowsMarkedLate,
  handleFlowTerminalStateTransitions,
  handlePausingFlows,
  handleResumingPausedFlows,
  preserveDeploymentConcurrencyLeaseId,
  preventDuplicateTransitions,
  preventResultDataLoss,
  retryFailedFlows,
} from '../../src/orchestration/flow-rules.js';
import {copyScheduledTime, preventPendingTransitions, waitForScheduledTime} from '../../src/orchestration/generic-rules.js';
import {DEPLOYMENT_ID, flowRun, minutesFromNow, NOW, stored, taskRun, withFlowRules, withTaskRules} from './support.js';

const PERSISTED = {storage_key: '/results/abc', serializer: {type: 'pickle'}, expiration: null};
const TERMINAL: StateType[] = ['CANCELLED', 'COMPLETED', 'CRASHED', 'FAILED'];
const policyWith = (fields: Record<string, unknown>) => ({
  max_retries: 0,
  retry_delay_seconds: 0,
  retries: null,
  retry_delay: null,
  pause_keys: [],
  resuming: false,
  retry_type: null,
  ...fields,
});

describe('TestWaitForScheduledTimeRule', () => {
  for (const initial of ['SCHEDULED', 'PENDING'] as const) {
    it(`test_running_after_scheduled_start_time_is_not_delayed [${initial}]`, () => {
      const facts = flowRun(stored(initial, {state_details: {scheduled_time: minutesFromNow(-5)}}));
      const decision = withFlowRules(facts, {type: 'RUNNING'}, [waitForScheduledTime]);
      expect(decision.status).to.equal('ACCEPT');
      expect(decision.write?.type).to.equal('RUNNING');
    });

    it(`test_running_before_scheduled_start_time_is_delayed [${initial}]`, () => {
      const facts = flowRun(stored(initial, {state_details: {scheduled_time: minutesFromNow(5)}}));
      const decision = withFlowRules(facts, {type: 'RUNNING'}, [waitForScheduledTime]);
      expect(decision).to.deep.include({
        status: 'WAIT',
        details: {type: 'wait_details', reason: 'Scheduled time is in the future', delay_seconds: 300},
        write: null,
      });
    });
  }

  it('rounds a partial second as Prefect does (floor of the seconds, then the rounded microseconds)', () => {
    const facts = flowRun(stored('SCHEDULED', {state_details: {scheduled_time: '2026-01-10T12:00:02.600000Z'}}));
    expect(withFlowRules(facts, {type: 'RUNNING'}, [waitForScheduledTime]).details.delay_seconds).to.equal(3);
  });

  it('test_scheduling_rule_does_not_fire_against_other_state_types', () => {
    for (const type of TERMINAL) {
      const facts = flowRun(stored('SCHEDULED', {state_details: {scheduled_time: minutesFromNow(5)}}));
      expect(withFlowRules(facts, {type}, [waitForScheduledTime]).status).to.equal('ACCEPT');
    }
  });
});

describe('TestCopyScheduledTime', () => {
  it('test_scheduled_time_copied_from_scheduled_to_pending', () => {
    const scheduled = minutesFromNow(-5);
    for (const decision of [
      withFlowRules(flowRun(stored('SCHEDULED', {state_details: {scheduled_time: scheduled}})), {type: 'PENDING'}, [copyScheduledTime]),
      withTaskRules(taskRun(stored('SCHEDULED', {state_details: {scheduled_time: scheduled}})), {type: 'PENDING'}, [copyScheduledTime]),
    ]) {
      expect(decision.write?.state_details.scheduled_time).to.equal(scheduled);
    }
  });

  it('test_scheduled_time_not_copied_for_other_transitions', () => {
    for (const type of [...TERMINAL, 'RUNNING'] as const) {
      const facts = flowRun(stored('SCHEDULED', {state_details: {scheduled_time: minutesFromNow(5)}}));
      expect(withFlowRules(facts, {type}, [copyScheduledTime]).write?.state_details.scheduled_time).to.equal(null);
    }
  });

  it('keeps a scheduled time proposed on the Pending state', () => {
    const facts = flowRun(stored('SCHEDULED', {state_details: {scheduled_time: minutesFromNow(-5)}}));
    const decision = withFlowRules(facts, {type: 'PENDING', state_details: {scheduled_time: minutesFromNow(-1)}}, [copyScheduledTime]);
    expect(decision.write?.state_details.scheduled_time).to.equal(minutesFromNow(-1));
  });
});

describe('TestFlowRetryingRule', () => {
  it('test_retries', () => {
    const facts = flowRun(stored('RUNNING'), {run_count: 1, empirical_policy: {retries: 1, retry_delay: 10}});
    const decision = withFlowRules(facts, {type: 'FAILED', message: 'boom', data: {type: 'unpersisted'}}, [retryFailedFlows]);
    expect(decision).to.deep.include({status: 'REJECT', details: {type: 'reject_details', reason: 'Retrying'}});
    expect(decision.write).to.deep.include({type: 'SCHEDULED', name: 'AwaitingRetry', message: 'boom', timestamp: NOW});
    expect(decision.write?.state_details.scheduled_time).to.equal('2026-01-10T12:00:10.000000Z');
    expect(decision.columns.empirical_policy).to.deep.equal(policyWith({retries: 1, retry_delay: 10, retry_type: 'in_process'}));
  });

  it('test_stops_retrying_eventually', () => {
    const facts = flowRun(stored('RUNNING'), {run_count: 2, empirical_policy: {retries: 1}});
    const decision = withFlowRules(facts, {type: 'FAILED'}, [retryFailedFlows]);
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.type).to.equal('FAILED');
  });

  it('test_sets_retry_type', () => {
    const facts = flowRun(stored('RUNNING'), {run_count: 2, empirical_policy: {retries: 3, pause_keys: ['k'], resuming: true}});
    const decision = withFlowRules(facts, {type: 'FAILED'}, [retryFailedFlows]);
    expect(decision.columns.empirical_policy).to.deep.equal(policyWith({retries: 3, retry_type: 'in_process'}));
  });

  it('test_clears_retry_type_on_exhausted_retries', () => {
    const facts = flowRun(stored('RUNNING'), {run_count: 2, empirical_policy: {retries: 1, retry_type: 'in_process'}});
    expect(withFlowRules(facts, {type: 'FAILED'}, [retryFailedFlows]).columns.empirical_policy).to.deep.equal(policyWith({retries: 1}));
  });

  it('reads the deprecated max_retries when retries is unset', () => {
    const facts = flowRun(stored('RUNNING'), {run_count: 1, empirical_policy: {max_retries: 2, retry_delay_seconds: 5}});
    const decision = withFlowRules(facts, {type: 'FAILED'}, [retryFailedFlows]);
    expect(decision.status).to.equal('REJECT');
    expect(decision.write?.state_details.scheduled_time).to.equal('2026-01-10T12:00:05.000000Z');
  });
});

describe('TestManualFlowRetries', () => {
  const manual = (fields: Parameters<typeof flowRun>[1], proposedName = 'AwaitingRetry') =>
    withFlowRules(flowRun(stored('FAILED'), {run_count: 2, ...fields}), {type: 'SCHEDULED', name: proposedName}, [handleFlowTerminalStateTransitions]);

  it('test_can_manual_retry_with_arbitrary_state_name', () => {
    const decision = manual({deployment_id: DEPLOYMENT_ID, empirical_policy: {retries: 1}}, 'FooBar');
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.columns).not.to.have.property('run_count');
  });

  it('test_cannot_manual_retry_without_deployment', () => {
    const decision = manual({empirical_policy: {retries: 1}});
    expect(decision).to.deep.include({status: 'ABORT', details: {type: 'abort_details', reason: 'Cannot reschedule a run without an associated deployment.'}});
  });

  it('test_manual_retrying_works_even_when_exceeding_max_retries', () => {
    expect(manual({deployment_id: DEPLOYMENT_ID, empirical_policy: {retries: 1}}).status).to.equal('ACCEPT');
  });

  it('test_manual_retrying_bypasses_terminal_state_protection', () => {
    expect(manual({deployment_id: DEPLOYMENT_ID, run_count: 3, empirical_policy: {retries: 10}}).status).to.equal('ACCEPT');
  });

  for (const type of ['SCHEDULED', 'FAILED'] as const) {
    it(`test_manual_retry_updates_retry_type [${type}]`, () => {
      const decision = withFlowRules(
        flowRun(stored('FAILED'), {deployment_id: DEPLOYMENT_ID, run_count: 2, empirical_policy: {pause_keys: ['a'], resuming: true}}),
        {type, name: 'AwaitingRetry'},
        [handleFlowTerminalStateTransitions],
      );
      if (type === 'SCHEDULED') {
        expect(decision.columns.empirical_policy).to.deep.equal(policyWith({retry_type: 'reschedule'}));
      } else {
        // terminal to terminal leaves the policy alone
        expect(decision.columns).not.to.have.property('empirical_policy');
      }
    });
  }
});

describe('TestTransitionsFromTerminalStatesRule (flow)', () => {
  it('test_transitions_from_terminal_states_to_crashed_are_aborted', () => {
    for (const type of TERMINAL) {
      const decision = withFlowRules(flowRun(stored(type)), {type: 'CRASHED'}, [handleFlowTerminalStateTransitions]);
      expect(decision.details).to.deep.equal({type: 'abort_details', reason: `Run is already in terminal state ${type}.`});
    }
  });

  it('test_transitions_from_terminal_states_to_cancelling_are_aborted', () => {
    for (const type of TERMINAL) {
      expect(withFlowRules(flowRun(stored(type)), {type: 'CANCELLING'}, [handleFlowTerminalStateTransitions]).status).to.equal('ABORT');
    }
  });

  it('test_transitions_from_completed_to_non_final_states_allowed_without_persisted_result', () => {
    for (const type of ['PENDING', 'RUNNING'] as const) {
      expect(withFlowRules(flowRun(stored('COMPLETED')), {type}, [handleFlowTerminalStateTransitions]).status).to.equal('ACCEPT');
    }
  });

  it('test_transitions_from_completed_to_non_final_states_rejected_with_persisted_result', () => {
    for (const type of ['PENDING', 'RUNNING', 'SCHEDULED'] as const) {
      const decision = withFlowRules(flowRun(stored('COMPLETED', {data: PERSISTED})), {type}, [handleFlowTerminalStateTransitions]);
      expect(decision).to.deep.include({status: 'REJECT', details: {type: 'reject_details', reason: 'Run is already COMPLETED.'}, write: null});
    }
  });

  it('test_does_not_block_transitions_from_non_terminal_states', () => {
    for (const from of [null, 'SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING'] as const) {
      for (const to of STATE_TYPES) {
        expect(withFlowRules(flowRun(from ? stored(from) : null), {type: to}, [handleFlowTerminalStateTransitions]).status).to.equal('ACCEPT');
      }
    }
  });

  it('resets the pause metadata when leaving a terminal state, and restores it when the rule fizzles', () => {
    const facts = flowRun(stored('FAILED'), {empirical_policy: {pause_keys: ['a'], resuming: true, retry_type: 'in_process'}});
    expect(withFlowRules(facts, {type: 'RUNNING'}, [handleFlowTerminalStateTransitions]).columns.empirical_policy).to.deep.equal(policyWith({}));
    const fizzled = withFlowRules(facts, {type: 'RUNNING'}, [handleFlowTerminalStateTransitions, enforceCancellingToCancelledTransitionFromAnywhere()]);
    expect(fizzled.columns.empirical_policy).to.deep.equal(policyWith({pause_keys: ['a'], resuming: true, retry_type: 'in_process'}));
  });
});

/** A later rule that changes the proposal's type, so earlier rules fizzle. */
function enforceCancellingToCancelledTransitionFromAnywhere() {
  return {...enforceCancellingToCancelledTransition, from: new Set([...STATE_TYPES, null]), create: () => ({
    before(_ctx: unknown, control: {reject(state: null, reason: string): void}) {
      control.reject(null, 'fizzle');
    },
  })};
}

describe('TestPreventResultDataLoss', () => {
  it('test_rejects_completed_to_completed_when_result_data_is_lost', () => {
    const decision = withFlowRules(flowRun(stored('COMPLETED', {data: PERSISTED})), {type: 'COMPLETED'}, [preventResultDataLoss]);
    expect(decision.details).to.deep.equal({
      type: 'reject_details',
      reason: 'Cannot overwrite a COMPLETED state that carries persisted result data with one that does not.',
    });
    expect(decision.write).to.equal(null);
  });

  it('test_allows_completed_to_completed_without_result_data', () => {
    expect(withFlowRules(flowRun(stored('COMPLETED')), {type: 'COMPLETED'}, [preventResultDataLoss]).status).to.equal('ACCEPT');
  });

  it('test_allows_completed_to_completed_with_unpersisted_initial', () => {
    const facts = flowRun(stored('COMPLETED', {data: {type: 'unpersisted'}}));
    expect(withFlowRules(facts, {type: 'COMPLETED'}, [preventResultDataLoss]).status).to.equal('ACCEPT');
  });

  it('test_handle_flow_terminal_also_rejects_data_loss', () => {
    const facts = flowRun(stored('COMPLETED', {data: PERSISTED}));
    expect(withFlowRules(facts, {type: 'COMPLETED'}, [handleFlowTerminalStateTransitions]).status).to.equal('REJECT');
  });

  for (const scalar of [1, 'hello', true, [1, 2, 3]]) {
    it(`test_accepts_scalar_initial_data [${JSON.stringify(scalar)}]`, () => {
      expect(withFlowRules(flowRun(stored('COMPLETED', {data: scalar})), {type: 'COMPLETED'}, [preventResultDataLoss]).status).to.equal('ACCEPT');
    });

    it(`test_accepts_scalar_proposed_data_with_persisted_initial [${JSON.stringify(scalar)}]`, () => {
      const facts = flowRun(stored('COMPLETED', {data: PERSISTED}));
      expect(withFlowRules(facts, {type: 'COMPLETED', data: scalar}, [preventResultDataLoss]).status).to.equal('REJECT');
    });

    it(`test_handle_flow_terminal_accepts_scalar_initial_data [${JSON.stringify(scalar)}]`, () => {
      const facts = flowRun(stored('COMPLETED', {data: scalar}));
      expect(withFlowRules(facts, {type: 'COMPLETED'}, [handleFlowTerminalStateTransitions]).status).to.equal('ACCEPT');
    });
  }

  it('accepts a persisted result replacing a persisted result', () => {
    const facts = flowRun(stored('COMPLETED', {data: PERSISTED}));
    expect(withFlowRules(facts, {type: 'COMPLETED', data: {...PERSISTED, storage_key: '/other'}}, [preventResultDataLoss]).status).to.equal('ACCEPT');
  });
});

describe('TestEnsureOnlyScheduledFlowMarkedLate', () => {
  it('test_reject_marking_states_other_than_scheduled_as_late', () => {
    for (const from of ['RUNNING', 'PENDING', 'COMPLETED', 'FAILED', 'CANCELLING'] as const) {
      const decision = withFlowRules(flowRun(stored(from)), {type: 'SCHEDULED', name: 'Late'}, [ensureOnlyScheduledFlowsMarkedLate]);
      expect(decision).to.deep.include({status: 'REJECT', details: {type: 'reject_details', reason: 'Only scheduled flows can be marked late.'}, write: null});
    }
  });

  it('test_scheduled_to_late_transition_is_accepted', () => {
    const decision = withFlowRules(flowRun(stored('SCHEDULED')), {type: 'SCHEDULED', name: 'Late'}, [ensureOnlyScheduledFlowsMarkedLate]);
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.name).to.equal('Late');
  });

  it('test_reject_marking_already_late_flow_as_late', () => {
    const facts = flowRun(stored('SCHEDULED', {name: 'Late'}));
    const decision = withFlowRules(facts, {type: 'SCHEDULED', name: 'Late'}, [ensureOnlyScheduledFlowsMarkedLate]);
    expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'This flow run is already marked late.'});
  });
});

describe('TestPreventPendingTransitions', () => {
  const banned = ['CANCELLING', 'CANCELLED', 'RUNNING', 'PENDING'] as const;

  it('test_banned_transitions_are_aborted', () => {
    for (const from of banned) {
      const decision = withFlowRules(flowRun(stored(from)), {type: 'PENDING'}, [preventPendingTransitions]);
      expect(decision.details).to.deep.equal({type: 'abort_details', reason: `This run is in a ${from} state and cannot transition to a PENDING state.`});
    }
  });

  it('test_all_other_transitions_are_accepted', () => {
    for (const from of STATE_TYPES) {
      for (const to of STATE_TYPES) {
        if (to === 'PENDING' && (banned as readonly string[]).includes(from)) continue;
        expect(withFlowRules(flowRun(stored(from)), {type: to}, [preventPendingTransitions]).status, `${from} => ${to}`).to.equal('ACCEPT');
      }
    }
  });

  for (const [initialName, proposedName] of [
    ['Pending', 'Submitting'],
    ['Submitting', 'InfrastructurePending'],
    ['Pending', 'InfrastructurePending'],
  ]) {
    it(`test_pending_to_pending_with_different_name_is_accepted [${initialName} => ${proposedName}]`, () => {
      const decision = withFlowRules(flowRun(stored('PENDING', {name: initialName})), {type: 'PENDING', name: proposedName}, [preventPendingTransitions]);
      expect(decision.status).to.equal('ACCEPT');
    });
  }

  it('test_pending_to_pending_with_same_name_is_aborted', () => {
    expect(withFlowRules(flowRun(stored('PENDING')), {type: 'PENDING'}, [preventPendingTransitions]).status).to.equal('ABORT');
  });

  for (const initialName of ['Submitting', 'InfrastructurePending']) {
    it(`test_pending_back_to_pending_is_aborted [${initialName}]`, () => {
      const decision = withFlowRules(flowRun(stored('PENDING', {name: initialName})), {type: 'PENDING', name: 'Pending'}, [preventPendingTransitions]);
      expect(decision.status).to.equal('ABORT');
    });
  }

  it('test_pending_name_change_preserves_state_details', () => {
    const initial = stored('PENDING', {state_details: {deployment_concurrency_lease_id: 'lease-1', scheduled_time: minutesFromNow(-3)}});
    const decision = withFlowRules(flowRun(initial), {type: 'PENDING', name: 'Submitting'}, [preventPendingTransitions]);
    expect(decision.write?.state_details).to.deep.include({deployment_concurrency_lease_id: 'lease-1', scheduled_time: minutesFromNow(-3)});
  });
});

describe('TestPausingFlows', () => {
  const running = () => stored('RUNNING');

  it('test_can_not_nonblocking_pause_subflows', () => {
    const facts = flowRun(running(), {parent_task_run_id: 'parent', deployment_id: DEPLOYMENT_ID});
    const decision = withFlowRules(facts, {type: 'PAUSED', state_details: {pause_reschedule: true}}, [handlePausingFlows]);
    expect(decision.details).to.deep.equal({type: 'abort_details', reason: 'Cannot pause subflows.'});
  });

  it('test_can_not_nonblocking_pause_flows_with_deployments_with_reschedule_flag', () => {
    const decision = withFlowRules(flowRun(running()), {type: 'PAUSED', state_details: {pause_reschedule: true}}, [handlePausingFlows]);
    expect(decision.details).to.deep.equal({type: 'abort_details', reason: 'Cannot pause flows without a deployment.'});
  });

  it('test_can_nonblocking_pause_flows_with_deployments_with_reschedule_flag', () => {
    const facts = flowRun(running(), {deployment_id: DEPLOYMENT_ID});
    const decision = withFlowRules(facts, {type: 'PAUSED', name: 'Suspended', state_details: {pause_reschedule: true}}, [handlePausingFlows]);
    expect(decision.status).to.equal('ACCEPT');
  });

  it('test_updates_pause_key_tracker', () => {
    const decision = withFlowRules(flowRun(running()), {type: 'PAUSED', state_details: {pause_key: 'hello'}}, [handlePausingFlows]);
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.columns.empirical_policy).to.deep.equal(policyWith({pause_keys: ['hello']}));
  });

  it('test_defaults_pause_key_to_random_uuid', () => {
    const decision = withFlowRules(flowRun(running()), {type: 'PAUSED'}, [handlePausingFlows]);
    // the env's first id is the key, the second the state's
    expect(decision.columns.empirical_policy).to.deep.equal(policyWith({pause_keys: ['id-1']}));
    expect(decision.write?.id).to.equal('id-2');
  });

  it('test_does_not_permit_repeat_pauses', () => {
    const facts = flowRun(running(), {empirical_policy: {pause_keys: ['hello']}});
    const decision = withFlowRules(facts, {type: 'PAUSED', state_details: {pause_key: 'hello'}}, [handlePausingFlows]);
    expect(decision).to.deep.include({status: 'REJECT', details: {type: 'reject_details', reason: 'This pause has already fired.'}, write: null});
    expect(decision.state?.type).to.equal('RUNNING');
    expect(decision.columns).to.deep.equal({});
  });

  it('test_can_only_pause_running_flows', () => {
    for (const from of [null, ...STATE_TYPES]) {
      const decision = withFlowRules(flowRun(from ? stored(from) : null, {deployment_id: DEPLOYMENT_ID}), {type: 'PAUSED'}, [handlePausingFlows]);
      if (from === null) expect(decision.details).to.deep.equal({type: 'abort_details', reason: 'Cannot pause flows with no state.'});
      else if (from === 'RUNNING') expect(decision.status).to.equal('ACCEPT');
      else {
        expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'Cannot pause flows that are not currently running.'});
        expect(decision.state?.type).to.equal(from);
        // a rejected pause records no key (the rule's after-hook does not run)
        expect(decision.columns).to.deep.equal({});
      }
    }
  });
});

describe('TestResumingFlows', () => {
  it('test_cannot_leave_nonblocking_pausing_state_without_a_deployment', () => {
    const initial = stored('PAUSED', {state_details: {pause_timeout: minutesFromNow(5), pause_reschedule: true}});
    const decision = withFlowRules(flowRun(initial), {type: 'RUNNING'}, [handleResumingPausedFlows]);
    expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'Cannot reschedule a running flow run without a deployment.'});
    expect(decision.state?.type).to.equal('PAUSED');
    // the rule stays valid (its TO_STATES include "no state"), so its after-hook marks the run resuming
    expect(decision.columns.empirical_policy).to.deep.equal(policyWith({resuming: true}));
  });

  it('test_can_leave_blocking_pausing_state_without_a_deployment', () => {
    const initial = stored('PAUSED', {state_details: {pause_timeout: minutesFromNow(5)}});
    expect(withFlowRules(flowRun(initial), {type: 'RUNNING'}, [handleResumingPausedFlows]).status).to.equal('ACCEPT');
  });

  it('test_transitions_out_of_pausing_states_are_restricted', () => {
    const permitted = ['RUNNING', 'COMPLETED', 'SCHEDULED', 'FAILED', 'CRASHED', 'CANCELLED'];
    for (const to of STATE_TYPES) {
      const decision = withFlowRules(flowRun(stored('PAUSED'), {deployment_id: DEPLOYMENT_ID}), {type: to}, [handleResumingPausedFlows]);
      if (permitted.includes(to)) expect(decision.status).to.equal('ACCEPT');
      else expect(decision.details).to.deep.equal({type: 'reject_details', reason: `This run cannot transition to the ${to} state from the PAUSED state.`});
    }
  });

  it('test_cannot_leave_pausing_state_if_pause_has_timed_out', () => {
    const initial = stored('PAUSED', {state_details: {pause_timeout: minutesFromNow(-5)}});
    const decision = withFlowRules(flowRun(initial, {deployment_id: DEPLOYMENT_ID}), {type: 'RUNNING'}, [handleResumingPausedFlows]);
    expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'The flow run pause has timed out and can no longer resume.'});
    expect(decision.write).to.deep.include({type: 'FAILED', name: 'Failed', message: 'The flow was running and never resumed.'});
  });

  it('test_allows_leaving_pausing_state', () => {
    const initial = stored('PAUSED', {state_details: {pause_timeout: minutesFromNow(5)}});
    expect(withFlowRules(flowRun(initial, {deployment_id: DEPLOYMENT_ID}), {type: 'RUNNING'}, [handleResumingPausedFlows]).status).to.equal('ACCEPT');
  });

  it('test_marks_flow_run_as_resuming_upon_leaving_paused_state', () => {
    const initial = stored('PAUSED', {state_details: {pause_timeout: minutesFromNow(5)}});
    const decision = withFlowRules(flowRun(initial, {deployment_id: DEPLOYMENT_ID}), {type: 'RUNNING'}, [handleResumingPausedFlows]);
    expect(decision.columns.empirical_policy).to.deep.equal(policyWith({resuming: true}));
  });
});

describe('TestHandleCancellingStateTransitions', () => {
  const notCancelled = STATE_TYPES.filter((t) => t !== 'CANCELLED');

  it('test_rejects_cancelling_to_anything_but_cancelled', () => {
    for (const to of notCancelled) {
      const decision = withFlowRules(flowRun(stored('CANCELLING')), {type: to}, [enforceCancellingToCancelledTransition]);
      expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'Cannot transition flows that are cancelling to a state other than Cancelled.'});
      expect(decision.state?.type).to.equal('CANCELLING');
    }
  });

  it('test_does_not_block_cancelled_to_other_states', () => {
    for (const to of notCancelled) {
      expect(withFlowRules(flowRun(stored('CANCELLED')), {type: to}, [enforceCancellingToCancelledTransition]).status).not.to.equal('REJECT');
    }
  });

  it('accepts Cancelling → Cancelled', () => {
    expect(withFlowRules(flowRun(stored('CANCELLING')), {type: 'CANCELLED'}, [enforceCancellingToCancelledTransition]).status).to.equal('ACCEPT');
  });
});

describe('TestBypassCancellingFlowRunsWithNoInfra', () => {
  it('test_rejects_cancelling_scheduled_flow_and_sets_to_cancelled', () => {
    const decision = withFlowRules(flowRun(stored('SCHEDULED')), {type: 'CANCELLING', message: 'please'}, [bypassCancellingFlowRunsWithNoInfra]);
    expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'Scheduled flow run has no infrastructure to terminate.'});
    expect(decision.write).to.deep.include({type: 'CANCELLED', name: 'Cancelled', message: null});
  });

  it('test_rejects_cancelling_suspended_flow_and_sets_to_cancelled', () => {
    const decision = withFlowRules(flowRun(stored('PAUSED', {state_details: {pause_reschedule: true}})), {type: 'CANCELLING'}, [bypassCancellingFlowRunsWithNoInfra]);
    expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'Suspended flow run has no infrastructure to terminate.'});
    expect(decision.write?.type).to.equal('CANCELLED');
  });

  it('test_rejects_cancelling_resuming_flow_and_sets_to_cancelled', () => {
    const facts = flowRun(stored('SCHEDULED', {name: 'Resuming'}), {infrastructure_pid: 'my-pid-42'});
    expect(withFlowRules(facts, {type: 'CANCELLING'}, [bypassCancellingFlowRunsWithNoInfra]).write?.type).to.equal('CANCELLED');
  });

  it('test_accepts_cancelling_flow_run_with_pid', () => {
    const facts = flowRun(stored('SCHEDULED', {name: 'AwaitingRetry'}), {infrastructure_pid: 'my-pid-42'});
    const decision = withFlowRules(facts, {type: 'CANCELLING'}, [bypassCancellingFlowRunsWithNoInfra]);
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.type).to.equal('CANCELLING');
  });

  it('test_accepts_cancelling_paused_flow_run_with_no_reschedule', () => {
    expect(withFlowRules(flowRun(stored('PAUSED')), {type: 'CANCELLING'}, [bypassCancellingFlowRunsWithNoInfra]).write?.type).to.equal('CANCELLING');
  });

  it('test_allows_all_other_transitions', () => {
    for (const from of [null, 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED', 'CANCELLING'] as const) {
      const decision = withFlowRules(flowRun(from ? stored(from) : null), {type: 'CANCELLING'}, [bypassCancellingFlowRunsWithNoInfra]);
      expect(decision.write?.type).to.equal('CANCELLING');
    }
  });
});

describe('TestPreventDuplicateTransitions', () => {
  const pendingTwice = (initialId: string | null, proposedId: string | null) =>
    withFlowRules(
      flowRun(stored('PENDING', {state_details: {transition_id: initialId}})),
      {type: 'PENDING', state_details: {transition_id: proposedId}},
      [preventDuplicateTransitions],
    );

  it('test_no_transition_ids', () => expect(pendingTwice(null, null).status).to.equal('ACCEPT'));
  it('test_proposed_state_no_transition_id', () => expect(pendingTwice('t-1', null).status).to.equal('ACCEPT'));
  it('test_initial_state_no_transition_id', () => expect(pendingTwice(null, 't-1').status).to.equal('ACCEPT'));
  it('test_different_transition_ids', () => expect(pendingTwice('t-1', 't-2').status).to.equal('ACCEPT'));
  it('test_same_transition_id', () => {
    const decision = pendingTwice('t-1', 't-1');
    expect(decision).to.deep.include({status: 'REJECT', details: {type: 'reject_details', reason: 'This run has already made this state transition.'}, write: null});
  });
});

describe('TestPreserveDeploymentConcurrencyLeaseId', () => {
  it('test_lease_id_copied_when_proposed_is_null', () => {
    const facts = flowRun(stored('PENDING', {state_details: {deployment_concurrency_lease_id: 'lease-1'}}));
    const decision = withFlowRules(facts, {type: 'PENDING', name: 'Submitting'}, [preserveDeploymentConcurrencyLeaseId]);
    expect(decision.write?.state_details.deployment_concurrency_lease_id).to.equal('lease-1');
  });

  it('test_lease_id_not_overwritten_when_proposed_has_value', () => {
    const facts = flowRun(stored('PENDING', {state_details: {deployment_concurrency_lease_id: 'lease-1'}}));
    const decision = withFlowRules(facts, {type: 'RUNNING', state_details: {deployment_concurrency_lease_id: 'lease-2'}}, [preserveDeploymentConcurrencyLeaseId]);
    expect(decision.write?.state_details.deployment_concurrency_lease_id).to.equal('lease-2');
  });

  it('test_handles_none_states', () => {
    expect(withFlowRules(flowRun(null), {type: 'PENDING'}, [preserveDeploymentConcurrencyLeaseId]).write?.state_details.deployment_concurrency_lease_id).to.equal(null);
  });

  it('test_preserves_across_all_transition_types', () => {
    for (const to of STATE_TYPES) {
      const facts = flowRun(stored('RUNNING', {state_details: {deployment_concurrency_lease_id: 'lease-1'}}));
      expect(withFlowRules(facts, {type: to}, [preserveDeploymentConcurrencyLeaseId]).write?.state_details.deployment_concurrency_lease_id).to.equal('lease-1');
    }
  });
});
