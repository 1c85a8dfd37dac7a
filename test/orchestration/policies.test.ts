import {expect} from 'chai';

import {orchestrateFlowRun, orchestrateTaskRun} from '../../src/orchestration/index.js';
import {
  BACKGROUND_TASK_POLICY,
  CORE_FLOW_POLICY,
  CORE_TASK_POLICY,
  MARK_LATE_RUNS_POLICY,
  MINIMAL_FLOW_POLICY,
  MINIMAL_TASK_POLICY,
} from '../../src/orchestration/policies.js';
import {applyDecision, DEPLOYMENT_ID, FLOW_RUN_ID, flowRun, LIMIT_ID, minutesFromNow, NOW, stored, taskRun, testEnv} from './support.js';

const names = (rules: readonly {name: string}[]) => rules.map((r) => r.name);
const at = (iso: string) => testEnv({now: iso});

describe('TestPoliciesRespectOrdering', () => {
  it('test_policies_return_rules_in_priority_order (Prefect\'s lists, rules without a database effect left out)', () => {
    expect(names(CORE_FLOW_POLICY)).to.deep.equal([
      'PreserveDeploymentConcurrencyLeaseId',
      'PreventDuplicateTransitions',
      'HandleFlowTerminalStateTransitions',
      'EnforceCancellingToCancelledTransition',
      'BypassCancellingFlowRunsWithNoInfra',
      'PreventPendingTransitions',
      'ValidateDeploymentConcurrencyAtRunning',
      'SecureFlowConcurrencySlots',
      'EnsureOnlyScheduledFlowsMarkedLate',
      'HandlePausingFlows',
      'HandleResumingPausedFlows',
      'CopyScheduledTime',
      'WaitForScheduledTime',
      'RetryFailedFlows',
      'ReleaseFlowConcurrencySlots',
    ]);
    expect(names(CORE_TASK_POLICY)).to.deep.equal([
      'CacheRetrieval',
      'HandleTaskTerminalStateTransitions',
      'PreventRunningTasksFromStoppedFlows',
      'SecureTaskConcurrencySlots',
      'CopyScheduledTime',
      'WaitForScheduledTime',
      'RetryFailedTasks',
      'RenameReruns',
      'UpdateFlowRunTrackerOnTasks',
      'CacheInsertion',
      'ReleaseTaskConcurrencySlots',
    ]);
    expect(names(BACKGROUND_TASK_POLICY)).to.deep.equal([
      'PreventPendingTransitions',
      'CacheRetrieval',
      'HandleTaskTerminalStateTransitions',
      'CopyScheduledTime',
      'CopyTaskParametersID',
      'WaitForScheduledTime',
      'RetryFailedTasks',
      'RenameReruns',
      'UpdateFlowRunTrackerOnTasks',
      'CacheInsertion',
      'ReleaseTaskConcurrencySlots',
    ]);
    expect(names(MINIMAL_FLOW_POLICY)).to.deep.equal(['PreventResultDataLoss', 'BypassCancellingFlowRunsWithNoInfra', 'ReleaseFlowConcurrencySlots']);
    expect(names(MARK_LATE_RUNS_POLICY)).to.deep.equal(['EnsureOnlyScheduledFlowsMarkedLate', 'EnforceDeploymentConcurrencyOnLate']);
    expect(names(MINIMAL_TASK_POLICY)).to.deep.equal(['ReleaseTaskConcurrencySlots']);
  });

  it('refuses a policy that does not apply to the run kind', () => {
    expect(() => orchestrateFlowRun(flowRun(null), {type: 'PENDING'}, 'background-task', testEnv())).to.throw(/does not apply to flow runs/);
    expect(() => orchestrateTaskRun(taskRun(null), {type: 'PENDING'}, 'mark-late', testEnv())).to.throw(/does not apply to task runs/);
  });
});

describe('TestSetFlowRunState (CoreFlowPolicy with the global policy)', () => {
  it('test_set_flow_run_state', () => {
    const decision = orchestrateFlowRun(flowRun(stored('PENDING')), {type: 'RUNNING', name: 'Test State'}, 'core', testEnv());
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write).to.deep.include({id: 'id-1', type: 'RUNNING', name: 'Test State', timestamp: NOW});
    expect(decision.columns).to.deep.equal({
      state_id: 'id-1',
      state_type: 'RUNNING',
      state_name: 'Test State',
      state_timestamp: NOW,
      run_count: 1,
      start_time: NOW,
      expected_start_time: NOW,
    });
  });

  for (const proposed of ['PENDING', 'RUNNING'] as const) {
    it(`test_setting_flow_run_state_twice_aborts [${proposed}]`, () => {
      let facts = flowRun(null);
      const first = orchestrateFlowRun(facts, {type: proposed, name: 'Test State'}, 'core', testEnv());
      expect(first.status).to.equal('ACCEPT');
      facts = applyDecision(facts, first);
      const second = orchestrateFlowRun(facts, {type: 'PENDING', name: 'Test State'}, 'core', at(minutesFromNow(1)));
      expect(second).to.deep.include({status: 'ABORT', write: null, columns: {}});
      expect(second.state).to.deep.equal(first.state);
    });
  }

  it('test_set_flow_run_state_force_skips_orchestration', () => {
    let facts = flowRun(null);
    const scheduled = orchestrateFlowRun(facts, {type: 'SCHEDULED', state_details: {scheduled_time: minutesFromNow(60 * 24 * 30)}}, 'core', testEnv());
    facts = applyDecision(facts, scheduled);
    expect(orchestrateFlowRun(facts, {type: 'RUNNING'}, 'core', at(minutesFromNow(1))).status).to.equal('WAIT');
    const forced = orchestrateFlowRun(facts, {type: 'RUNNING'}, 'minimal', at(minutesFromNow(1)));
    expect(forced.status).to.equal('ACCEPT');
    expect(forced.columns).to.deep.include({state_type: 'RUNNING', next_scheduled_start_time: null, run_count: 1});
  });

  for (const data of [1, 'test', {foo: 'bar'}]) {
    it(`test_set_flow_run_state_accepts_any_jsonable_data [${JSON.stringify(data)}]`, () => {
      const decision = orchestrateFlowRun(flowRun(stored('RUNNING')), {type: 'COMPLETED', data}, 'core', testEnv());
      expect(decision.state?.data).to.deep.equal(data);
      expect(decision.write?.result_artifact_id).to.equal('id-2');
      expect(decision.effects[0]).to.deep.include({kind: 'create_result_artifact'});
    });
  }

  it('test_flow_run_receives_wait_until_scheduled_start_time', () => {
    let facts = flowRun(null);
    facts = applyDecision(facts, orchestrateFlowRun(facts, {type: 'SCHEDULED', state_details: {scheduled_time: minutesFromNow(60 * 24)}}, 'core', testEnv()));
    const pending = orchestrateFlowRun(facts, {type: 'PENDING'}, 'core', at(minutesFromNow(1)));
    expect(pending.status).to.equal('ACCEPT');
    expect(pending.write?.state_details.scheduled_time).to.equal(minutesFromNow(60 * 24));
    facts = applyDecision(facts, pending);
    const running = orchestrateFlowRun(facts, {type: 'RUNNING'}, 'core', at(minutesFromNow(2)));
    expect(running.status).to.equal('WAIT');
    expect(running.details.delay_seconds).to.equal(24 * 3600 - 120);
  });

  it('test_pending_to_pending', () => {
    expect(orchestrateFlowRun(flowRun(stored('PENDING')), {type: 'PENDING'}, 'core', testEnv()).status).to.equal('ABORT');
  });

  it('test_pending_to_pending_with_different_name', () => {
    const initial = stored('PENDING', {state_details: {scheduled_time: minutesFromNow(-1), deployment_concurrency_lease_id: 'lease-1'}});
    const decision = orchestrateFlowRun(flowRun(initial), {type: 'PENDING', name: 'Submitting'}, 'core', testEnv());
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.state_details).to.deep.include({scheduled_time: minutesFromNow(-1), deployment_concurrency_lease_id: 'lease-1'});
  });

  it('test_pending_to_pending_same_transition_id', () => {
    const initial = stored('PENDING', {name: 'Submitting', state_details: {transition_id: 't-1'}});
    const decision = orchestrateFlowRun(flowRun(initial), {type: 'PENDING', name: 'InfrastructurePending', state_details: {transition_id: 't-1'}}, 'core', testEnv());
    expect(decision).to.deep.include({status: 'REJECT', write: null});
  });
});

describe('TestPreventResultDataLossAPI (forced)', () => {
  const persisted = {storage_key: '/r', serializer: {type: 'json'}};

  it('test_force_set_state_rejects_completed_overwrite_without_data', () => {
    const decision = orchestrateFlowRun(flowRun(stored('COMPLETED', {data: persisted})), {type: 'COMPLETED'}, 'minimal', testEnv());
    expect(decision).to.deep.include({status: 'REJECT', write: null});
  });

  it('test_force_set_state_allows_completed_to_completed_with_data', () => {
    expect(orchestrateFlowRun(flowRun(stored('COMPLETED', {data: persisted})), {type: 'COMPLETED', data: persisted}, 'minimal', testEnv()).status).to.equal('ACCEPT');
  });

  it('forces any other transition out of a terminal state', () => {
    const facts = flowRun(stored('COMPLETED', {data: persisted}), {start_time: minutesFromNow(-5), end_time: minutesFromNow(-1)});
    const decision = orchestrateFlowRun(facts, {type: 'RUNNING'}, 'minimal', testEnv());
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.columns).to.deep.include({end_time: null, run_count: 1});
  });
});

describe('TestManuallyRetryingFlowRuns', () => {
  it('test_manual_flow_run_retries', () => {
    const facts = flowRun(stored('FAILED'), {deployment_id: DEPLOYMENT_ID, run_count: 1, start_time: minutesFromNow(-5), end_time: minutesFromNow(-1), expected_start_time: minutesFromNow(-6)});
    const decision = orchestrateFlowRun(facts, {type: 'SCHEDULED', name: 'AwaitingRetry'}, 'core', testEnv());
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.columns).to.deep.equal({
      state_id: 'id-1',
      state_type: 'SCHEDULED',
      state_name: 'AwaitingRetry',
      state_timestamp: NOW,
      end_time: null,
      next_scheduled_start_time: NOW,
      empirical_policy: {max_retries: 0, retry_delay_seconds: 0, retries: null, retry_delay: null, pause_keys: [], resuming: false, retry_type: 'reschedule'},
    });
  });

  it('test_cannot_restart_flow_run_without_deployment', () => {
    const decision = orchestrateFlowRun(flowRun(stored('FAILED')), {type: 'SCHEDULED', name: 'AwaitingRetry'}, 'core', testEnv());
    expect(decision.details).to.deep.equal({type: 'abort_details', reason: 'Cannot reschedule a run without an associated deployment.'});
  });

  it('prefect flow-run retry forces Scheduled "Retried via CLI" (MinimalFlowPolicy)', () => {
    const decision = orchestrateFlowRun(flowRun(stored('CRASHED'), {deployment_id: DEPLOYMENT_ID}), {type: 'SCHEDULED', name: 'Retried via CLI'}, 'minimal', testEnv());
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.name).to.equal('Retried via CLI');
    expect(decision.columns).not.to.have.property('empirical_policy');
  });
});

describe('CoreFlowPolicy end to end', () => {
  const withLimit = (limit: number, active: number) => ({
    id: DEPLOYMENT_ID,
    concurrency_limit_id: LIMIT_ID,
    concurrency_options: null,
    global_concurrency_limit: {id: LIMIT_ID, name: `deployment:${DEPLOYMENT_ID}`, limit, active_slots: active, active: true, avg_slot_occupancy_seconds: null},
  });

  it('a failing run with retries left becomes AwaitingRetry, keeps its slot accounting and run time', () => {
    const running = stored('RUNNING', {timestamp: minutesFromNow(-2)});
    const facts = flowRun(running, {
      deployment_id: DEPLOYMENT_ID,
      deployment: withLimit(1, 1),
      run_count: 1,
      start_time: running.timestamp,
      expected_start_time: minutesFromNow(-3),
      total_run_time: 1.5,
      empirical_policy: {retries: 2, retry_delay: 60},
    });
    const decision = orchestrateFlowRun(facts, {type: 'FAILED', message: 'boom'}, 'core', testEnv());
    expect(decision.status).to.equal('REJECT');
    expect(decision.write).to.deep.include({type: 'SCHEDULED', name: 'AwaitingRetry', message: 'boom'});
    expect(decision.write?.state_details).to.deep.include({scheduled_time: minutesFromNow(1), flow_run_id: FLOW_RUN_ID});
    expect(decision.columns).to.deep.equal({
      state_id: 'id-1',
      state_type: 'SCHEDULED',
      state_name: 'AwaitingRetry',
      state_timestamp: NOW,
      total_run_time: 121.5,
      next_scheduled_start_time: minutesFromNow(1),
      empirical_policy: {max_retries: 0, retry_delay_seconds: 0, retries: 2, retry_delay: 60, pause_keys: [], resuming: false, retry_type: 'in_process'},
    });
    // leaving RUNNING for SCHEDULED frees the deployment slot
    expect(decision.effects).to.deep.equal([{kind: 'concurrency_limit_v2_slots', limit_id: LIMIT_ID, name: `deployment:${DEPLOYMENT_ID}`, delta: -1}]);
  });

  it('cancelling a Scheduled run writes Cancelled and ends it', () => {
    const decision = orchestrateFlowRun(flowRun(stored('SCHEDULED'), {next_scheduled_start_time: minutesFromNow(-1)}), {type: 'CANCELLING'}, 'core', testEnv());
    expect(decision.status).to.equal('REJECT');
    expect(decision.columns).to.deep.equal({
      state_id: 'id-1',
      state_type: 'CANCELLED',
      state_name: 'Cancelled',
      state_timestamp: NOW,
      start_time: NOW,
      end_time: NOW,
      expected_start_time: NOW,
      next_scheduled_start_time: null,
    });
  });

  it('cancelling a Running subflow writes Cancelling and forces it onto the parent task run', () => {
    const facts = flowRun(stored('RUNNING'), {parent_task_run_id: 'parent-task', start_time: minutesFromNow(-1), expected_start_time: minutesFromNow(-1)});
    const decision = orchestrateFlowRun(facts, {type: 'CANCELLING'}, 'core', testEnv());
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.effects).to.have.length(1);
    const parent = decision.effects[0];
    if (parent.kind !== 'update_subflow_parent_task') throw new Error(parent.kind);
    const task = orchestrateTaskRun(taskRun(stored('RUNNING'), {id: 'parent-task'}), parent.state, 'minimal', testEnv());
    expect(task.write).to.deep.include({type: 'CANCELLING', name: 'Cancelling'});
    expect(task.write?.state_details).to.deep.include({child_flow_run_id: FLOW_RUN_ID, task_run_id: 'parent-task', flow_run_id: FLOW_RUN_ID});
  });

  it('a terminal run cannot be cancelled', () => {
    const decision = orchestrateFlowRun(flowRun(stored('COMPLETED')), {type: 'CANCELLING'}, 'core', testEnv());
    expect(decision.details).to.deep.equal({type: 'abort_details', reason: 'Run is already in terminal state COMPLETED.'});
  });

  it('a Cancelling run only becomes Cancelled, releasing its deployment slot', () => {
    const facts = flowRun(stored('CANCELLING'), {deployment_id: DEPLOYMENT_ID, deployment: withLimit(2, 1)});
    expect(orchestrateFlowRun(facts, {type: 'FAILED'}, 'core', testEnv()).status).to.equal('REJECT');
    const cancelled = orchestrateFlowRun(facts, {type: 'CANCELLED'}, 'core', testEnv());
    expect(cancelled.status).to.equal('ACCEPT');
    expect(cancelled.effects).to.deep.equal([{kind: 'concurrency_limit_v2_slots', limit_id: LIMIT_ID, name: `deployment:${DEPLOYMENT_ID}`, delta: -1}]);
  });

  it('a Scheduled run with a full limit is enqueued as AwaitingConcurrencySlot', () => {
    const facts = flowRun(stored('SCHEDULED', {state_details: {scheduled_time: minutesFromNow(-1)}}), {deployment_id: DEPLOYMENT_ID, deployment: withLimit(1, 1), next_scheduled_start_time: minutesFromNow(-1)});
    const decision = orchestrateFlowRun(facts, {type: 'PENDING'}, 'core', testEnv());
    expect(decision.write).to.deep.include({type: 'SCHEDULED', name: 'AwaitingConcurrencySlot'});
    expect(decision.columns.next_scheduled_start_time).to.equal('2026-01-10T12:00:30.000000Z');
    expect(decision.effects).to.deep.equal([]);
  });

  it('forcing a Running deployment run to Crashed frees its slot (MinimalFlowPolicy)', () => {
    const facts = flowRun(stored('RUNNING'), {deployment_id: DEPLOYMENT_ID, deployment: withLimit(1, 1), start_time: minutesFromNow(-1)});
    const decision = orchestrateFlowRun(facts, {type: 'CRASHED'}, 'minimal', testEnv());
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.effects).to.deep.equal([{kind: 'concurrency_limit_v2_slots', limit_id: LIMIT_ID, name: `deployment:${DEPLOYMENT_ID}`, delta: -1}]);
    expect(decision.columns).to.deep.include({end_time: NOW, total_run_time: 60});
  });
});

describe('MarkLateRunsPolicy', () => {
  it('marks a Scheduled run Late, keeping its scheduled time', () => {
    const scheduled = minutesFromNow(-1);
    const facts = flowRun(stored('SCHEDULED', {state_details: {scheduled_time: scheduled}}), {next_scheduled_start_time: scheduled, expected_start_time: scheduled});
    const decision = orchestrateFlowRun(facts, {type: 'SCHEDULED', name: 'Late', state_details: {scheduled_time: scheduled}}, 'mark-late', testEnv());
    expect(decision.status).to.equal('ACCEPT');
    // next_scheduled_start_time is cleared and set again to the same value: no change to write
    expect(decision.columns).to.deep.equal({state_id: 'id-1', state_type: 'SCHEDULED', state_name: 'Late', state_timestamp: NOW});
    expect(decision.write?.state_details.scheduled_time).to.equal(scheduled);
  });

  it('does not mark a Late run Late again', () => {
    expect(orchestrateFlowRun(flowRun(stored('SCHEDULED', {name: 'Late'})), {type: 'SCHEDULED', name: 'Late'}, 'mark-late', testEnv()).status).to.equal('REJECT');
  });
});

describe('CoreTaskPolicy end to end', () => {
  it('a task of a running flow starts, tracking the flow run attempt', () => {
    const decision = orchestrateTaskRun(taskRun(stored('PENDING')), {type: 'RUNNING'}, 'core', testEnv());
    expect(decision.columns).to.deep.equal({
      state_id: 'id-1',
      state_type: 'RUNNING',
      state_name: 'Running',
      state_timestamp: NOW,
      run_count: 1,
      start_time: NOW,
      expected_start_time: NOW,
      flow_run_run_count: 1,
    });
  });

  it('a failing task with retries left becomes AwaitingRetry', () => {
    const facts = taskRun(stored('RUNNING', {timestamp: minutesFromNow(-1)}), {run_count: 1, start_time: minutesFromNow(-1), empirical_policy: {retries: 1, retry_delay: [5]}});
    const decision = orchestrateTaskRun(facts, {type: 'FAILED'}, 'core', testEnv());
    expect(decision.write?.name).to.equal('AwaitingRetry');
    expect(decision.columns).to.deep.include({total_run_time: 60, next_scheduled_start_time: '2026-01-10T12:00:05.000000Z'});
  });

  it('a completed task with a cache key is cached', () => {
    const decision = orchestrateTaskRun(taskRun(stored('RUNNING')), {type: 'COMPLETED', state_details: {cache_key: 'k'}}, 'core', testEnv());
    expect(decision.effects).to.deep.equal([{kind: 'cache_insertion', cache_key: 'k', cache_expiration: null, task_run_state_id: 'id-1'}]);
  });
});
