import {expect} from 'chai';

import type {Decision, ProposedState, RunState, StateType} from '../../src/orchestration/contract.js';
import {runFlowRules, runTaskRules} from '../../src/orchestration/engine.js';
import {GLOBAL_FLOW_POLICY, GLOBAL_TASK_POLICY} from '../../src/orchestration/global-transforms.js';
import {STATE_TYPES} from '../../src/orchestration/contract.js';
import {FLOW_RUN_ID, flowRun, minutesFromNow, NOW, stored, TASK_RUN_ID, taskRun, testEnv} from './support.js';

type RunType = 'task' | 'flow';
type Columns = Parameters<typeof flowRun>[1] & Parameters<typeof taskRun>[1];

/** The global policy alone over one transition (Prefect's tests enter single transforms). */
function globally(runType: RunType, initial: RunState | null, proposed: ProposedState, columns: Columns = {}): Decision {
  return runType === 'flow'
    ? runFlowRules(flowRun(initial, columns), proposed, [], GLOBAL_FLOW_POLICY, testEnv())
    : runTaskRules(taskRun(initial, columns), proposed, [], GLOBAL_TASK_POLICY, testEnv());
}

const TERMINAL: StateType[] = ['CANCELLED', 'COMPLETED', 'CRASHED', 'FAILED'];

describe('TestGlobalPolicyRules', () => {
  for (const runType of ['task', 'flow'] as const) {
    describe(runType, () => {
      it('test_rule_updates_run_state_type', () => {
        for (const type of STATE_TYPES) expect(globally(runType, null, {type}).columns.state_type).to.equal(type);
      });

      it('test_rule_updates_run_state_name', () => {
        const decision = globally(runType, null, {type: 'SCHEDULED', name: 'Custom'});
        expect(decision.columns.state_name).to.equal('Custom');
        expect(decision.write?.name).to.equal('Custom');
      });

      it('test_rule_updates_run_state_timestamp', () => {
        for (const type of STATE_TYPES) {
          const decision = globally(runType, null, {type, timestamp: '2026-01-10T11:00:00.123456Z'});
          expect(decision.columns.state_timestamp).to.equal('2026-01-10T11:00:00.123456Z');
        }
      });

      it('test_rule_sets_scheduled_time', () => {
        const scheduled = minutesFromNow(1);
        const decision = globally(runType, null, {type: 'SCHEDULED', state_details: {scheduled_time: scheduled}});
        expect(decision.columns.next_scheduled_start_time).to.equal(scheduled);
        expect(decision.columns).not.to.have.property('start_time');
      });

      it('test_rule_removes_scheduled_time_when_exiting_scheduled_state', () => {
        const scheduled = minutesFromNow(1);
        const initial = stored('SCHEDULED', {state_details: {scheduled_time: scheduled}});
        const decision = globally(runType, initial, {type: 'PENDING'}, {next_scheduled_start_time: scheduled, expected_start_time: scheduled});
        expect(decision.columns.next_scheduled_start_time).to.equal(null);
        expect(decision.columns).not.to.have.property('start_time');
      });

      it('test_rule_sets_expected_start_time_from_non_scheduled', () => {
        for (const type of ['PENDING', 'RUNNING', 'COMPLETED'] as const) {
          const decision = globally(runType, null, {type});
          expect(decision.columns.expected_start_time).to.equal(NOW);
        }
      });

      it('test_rule_sets_expected_start_time_from_scheduled', () => {
        const scheduled = minutesFromNow(60 * 24 * 10);
        const decision = globally(runType, null, {type: 'SCHEDULED', state_details: {scheduled_time: scheduled}});
        expect(decision.columns.expected_start_time).to.equal(scheduled);
      });

      it('test_rule_sets_start_time_when_starting_to_run', () => {
        const decision = globally(runType, stored('PENDING'), {type: 'RUNNING'}, {expected_start_time: NOW});
        expect(decision.columns.start_time).to.equal(NOW);
      });

      it('test_rule_updates_run_count_when_starting_to_run', () => {
        expect(globally(runType, stored('PENDING'), {type: 'RUNNING'}).columns.run_count).to.equal(1);
      });

      it('test_rule_increments_run_count', () => {
        expect(globally(runType, stored('PENDING'), {type: 'RUNNING'}, {run_count: 41}).columns.run_count).to.equal(42);
      });

      it('test_rule_updates_run_time_after_running', () => {
        const initial = stored('RUNNING', {timestamp: '2026-01-10T11:59:18.000000Z'});
        const decision = globally(runType, initial, {type: 'COMPLETED'}, {start_time: initial.timestamp});
        expect(decision.columns.total_run_time).to.equal(42);
      });

      it('test_rule_doesnt_update_run_time_when_not_running', () => {
        const initial = stored('PENDING', {timestamp: '2026-01-10T11:59:18.000000Z'});
        const decision = globally(runType, initial, {type: 'COMPLETED'}, {start_time: initial.timestamp});
        expect(decision.columns).not.to.have.property('total_run_time');
      });

      it('test_rule_sets_end_time_when_when_run_ends', () => {
        for (const type of TERMINAL) {
          const decision = globally(runType, stored('RUNNING'), {type}, {start_time: minutesFromNow(-1)});
          expect(decision.columns.end_time).to.equal(NOW);
          expect(decision.columns).not.to.have.property('start_time');
        }
      });

      it('test_rule_unsets_end_time_when_forced_out_of_terminal_state', () => {
        for (const type of TERMINAL) {
          const decision = globally(runType, stored(type), {type: 'RUNNING'}, {start_time: minutesFromNow(-1), end_time: minutesFromNow(-1)});
          expect(decision.columns.end_time).to.equal(null);
        }
      });

      it('test_rule_does_not_modify_end_time_when_transitioning_from_final_to_final', () => {
        const decision = globally(runType, stored('COMPLETED'), {type: 'FAILED'}, {start_time: minutesFromNow(-2), end_time: minutesFromNow(-1)});
        expect(decision.columns).not.to.have.property('end_time');
      });

      it('sets start_time with end_time when a run goes terminal without ever running (SetEndTime)', () => {
        const decision = globally(runType, stored('SCHEDULED'), {type: 'CANCELLED'});
        expect(decision.columns.start_time).to.equal(NOW);
        expect(decision.columns.end_time).to.equal(NOW);
      });

      it('fills the run ids into state_details (UpdateStateDetails)', () => {
        const details = globally(runType, null, {type: 'PENDING'}).write!.state_details;
        expect(details.flow_run_id).to.equal(FLOW_RUN_ID);
        expect(details.task_run_id).to.equal(runType === 'task' ? TASK_RUN_ID : null);
      });

      it('changes nothing when the proposal was nullified', () => {
        const initial = stored('RUNNING');
        const decision = runType === 'flow'
          ? runFlowRules(flowRun(initial), {type: 'RUNNING'}, [nullify()], GLOBAL_FLOW_POLICY, testEnv())
          : runTaskRules(taskRun(initial), {type: 'RUNNING'}, [nullify()], GLOBAL_TASK_POLICY, testEnv());
        expect(decision).to.deep.include({status: 'WAIT', write: null, columns: {}, effects: []});
        expect(decision.state).to.deep.equal(initial);
      });
    });
  }
});

function nullify() {
  return {
    name: 'Delay',
    universal: false,
    from: new Set([...STATE_TYPES, null]),
    to: new Set([...STATE_TYPES, null]),
    create: () => ({before: (_ctx: unknown, control: {delay(s: number, r: string): void}) => control.delay(5, 'later')}),
  };
}

describe('test_update_subflow_parent_task', () => {
  it('test_update_subflow_parent_task', () => {
    const decision = runFlowRules(
      flowRun(stored('RUNNING'), {parent_task_run_id: 'parent-task'}),
      {type: 'FAILED', message: 'boom'},
      [],
      GLOBAL_FLOW_POLICY,
      testEnv(),
    );
    expect(decision.effects).to.have.length(1);
    const effect = decision.effects[0];
    expect(effect.kind).to.equal('update_subflow_parent_task');
    if (effect.kind !== 'update_subflow_parent_task') return;
    expect(effect.task_run_id).to.equal('parent-task');
    expect(effect.state).to.deep.include({type: 'FAILED', name: 'Failed', message: 'boom', timestamp: NOW});
    expect(effect.state.state_details).to.deep.include({child_flow_run_id: FLOW_RUN_ID, flow_run_id: FLOW_RUN_ID, task_run_id: 'parent-task'});
  });

  it('test_child_flow_run_states_include_parent_task_run_id', () => {
    const decision = runFlowRules(flowRun(stored('RUNNING'), {parent_task_run_id: 'parent-task'}), {type: 'FAILED'}, [], GLOBAL_FLOW_POLICY, testEnv());
    expect(decision.write!.state_details.task_run_id).to.equal('parent-task');
  });
});

describe('TestPausingRules', () => {
  for (const initial of ['PAUSED', 'PENDING'] as const) {
    it(`test_rule_unsets_resuming_indicator_on_running [${initial}]`, () => {
      const decision = runFlowRules(flowRun(stored(initial), {empirical_policy: {resuming: true}}), {type: 'RUNNING'}, [], GLOBAL_FLOW_POLICY, testEnv());
      expect(decision.columns.empirical_policy).to.deep.equal({
        max_retries: 0,
        retry_delay_seconds: 0,
        retries: null,
        retry_delay: null,
        pause_keys: [],
        resuming: false,
        retry_type: null,
      });
    });

    it(`test_running_resuming_flow_does_not_increment_run_count [${initial}]`, () => {
      const decision = runFlowRules(
        flowRun(stored(initial), {empirical_policy: {resuming: true}, run_count: 42}),
        {type: 'RUNNING'},
        [],
        GLOBAL_FLOW_POLICY,
        testEnv(),
      );
      expect(decision.columns).not.to.have.property('run_count');
    });
  }
});

describe('EnsureFlowRunStateTimestampIsUnique', () => {
  it('bumps a colliding timestamp by 1 µs until it is free, before the run columns read it', () => {
    const initial = stored('RUNNING', {timestamp: '2026-01-10T11:59:00.000000Z'});
    const facts = flowRun(initial, {state_timestamps: [NOW, '2026-01-10T12:00:00.000001Z', initial.timestamp]});
    const decision = runFlowRules(facts, {type: 'COMPLETED'}, [], GLOBAL_FLOW_POLICY, testEnv());
    expect(decision.write!.timestamp).to.equal('2026-01-10T12:00:00.000002Z');
    expect(decision.columns.state_timestamp).to.equal('2026-01-10T12:00:00.000002Z');
    expect(decision.columns.end_time).to.equal('2026-01-10T12:00:00.000002Z');
    expect(decision.columns.total_run_time).to.equal(60.000002);
  });

  it('does not apply to task runs', () => {
    const decision = runTaskRules(taskRun(stored('RUNNING', {timestamp: NOW})), {type: 'COMPLETED'}, [], GLOBAL_TASK_POLICY, testEnv());
    expect(decision.write!.timestamp).to.equal(NOW);
  });
});
