import {expect} from 'chai';

import {
  enforceDeploymentConcurrencyOnLate,
  releaseFlowConcurrencySlots,
  secureFlowConcurrencySlots,
  validateDeploymentConcurrencyAtRunning,
} from '../../src/orchestration/concurrency.js';
import {type DeploymentConcurrencyFacts, type Effect, STATE_TYPES, type StateType} from '../../src/orchestration/contract.js';
import {ALL_STATES, type FlowContext, rule} from '../../src/orchestration/rules.js';
import {makeState} from '../../src/orchestration/states.js';
import {DEPLOYMENT_ID, flowRun, LIMIT_ID, NOW, stored, withFlowRules} from './support.js';

function deployment(limit: number, activeSlots = 0, strategy: string | null = null): DeploymentConcurrencyFacts {
  return {
    id: DEPLOYMENT_ID,
    concurrency_limit_id: LIMIT_ID,
    concurrency_options: strategy ? {collision_strategy: strategy} : null,
    global_concurrency_limit: {id: LIMIT_ID, name: `deployment:${DEPLOYMENT_ID}`, limit, active_slots: activeSlots, active: true, avg_slot_occupancy_seconds: null},
  };
}

/** The deployment after the caller applied the slot effects. */
function applied(facts: DeploymentConcurrencyFacts, effects: Effect[]): DeploymentConcurrencyFacts {
  const limit = facts.global_concurrency_limit!;
  let slots = limit.active_slots;
  for (const effect of effects) if (effect.kind === 'concurrency_limit_v2_slots' && effect.limit_id === limit.id) slots = Math.max(0, slots + effect.delta);
  return {...facts, global_concurrency_limit: {...limit, active_slots: slots}};
}

const run = (state: StateType | null, dep: DeploymentConcurrencyFacts | null, details = {}) =>
  flowRun(state ? stored(state, {state_details: details}) : null, {deployment_id: DEPLOYMENT_ID, deployment: dep});

const TAKE: Effect = {kind: 'concurrency_limit_v2_slots', limit_id: LIMIT_ID, name: `deployment:${DEPLOYMENT_ID}`, delta: 1};
const FREE: Effect = {...TAKE, delta: -1};

const aborting = rule<FlowContext>('NullifiedTransition', ALL_STATES, ALL_STATES, () => ({
  before(_ctx, control) {
    control.abort('For testing purposes');
  },
}));

const rescheduling = rule<FlowContext>('StateMutatingRule', ALL_STATES, ALL_STATES, () => ({
  before(ctx, control) {
    control.reject(makeState('SCHEDULED', ctx.env.now), 'force deployment concurrency cleanup');
  },
}));

describe('TestFlowConcurrencyLimits', () => {
  it('test_ignored_secure_transitions_are_accepted', () => {
    for (const from of ['PENDING', 'RUNNING', 'CANCELLING'] as const) {
      for (const to of STATE_TYPES.filter((t) => t !== 'PENDING')) {
        const decision = withFlowRules(run(from, deployment(1, 1)), {type: to}, [secureFlowConcurrencySlots]);
        expect(decision.status).to.equal('ACCEPT');
        expect(decision.effects).to.deep.equal([]);
      }
    }
  });

  it('test_ignored_release_transitions_are_accepted', () => {
    for (const from of STATE_TYPES.filter((t) => t !== 'RUNNING' && t !== 'CANCELLING' && t !== 'PENDING')) {
      for (const to of ['PENDING', 'RUNNING', 'CANCELLING'] as const) {
        expect(withFlowRules(run(from, deployment(1, 1)), {type: to}, [releaseFlowConcurrencySlots]).effects).to.deep.equal([]);
      }
    }
    for (const from of ['PENDING', 'RUNNING', 'CANCELLING'] as const) {
      for (const to of ['PENDING', 'RUNNING', 'CANCELLING'] as const) {
        expect(withFlowRules(run(from, deployment(1, 1)), {type: to}, [releaseFlowConcurrencySlots]).effects).to.deep.equal([]);
      }
    }
  });

  it('test_secure_concurrency_slots', () => {
    let dep = deployment(2);
    const first = withFlowRules(run('SCHEDULED', dep), {type: 'PENDING'}, [secureFlowConcurrencySlots]);
    expect(first).to.deep.include({status: 'ACCEPT', effects: [TAKE]});
    // prefectdb holds no lease, so it writes no lease id
    expect(first.write?.state_details.deployment_concurrency_lease_id).to.equal(null);
    dep = applied(dep, first.effects);
    const second = withFlowRules(run('SCHEDULED', dep), {type: 'PENDING'}, [secureFlowConcurrencySlots]);
    expect(second).to.deep.include({status: 'ACCEPT', effects: [TAKE]});
    dep = applied(dep, second.effects);
    const third = withFlowRules(run('SCHEDULED', dep), {type: 'PENDING'}, [secureFlowConcurrencySlots]);
    expect(third).to.deep.include({status: 'REJECT', details: {type: 'reject_details', reason: 'Deployment concurrency limit reached.'}, effects: []});
    expect(third.write).to.deep.include({type: 'SCHEDULED', name: 'AwaitingConcurrencySlot'});
    expect(third.write?.state_details.scheduled_time).to.equal('2026-01-10T12:00:30.000000Z');
  });

  it('test_release_concurrency_slots', () => {
    let dep = deployment(1);
    const pending = withFlowRules(run('SCHEDULED', dep), {type: 'PENDING'}, [secureFlowConcurrencySlots]);
    dep = applied(dep, pending.effects);
    expect(withFlowRules(run('SCHEDULED', dep), {type: 'PENDING'}, [secureFlowConcurrencySlots]).status).to.equal('REJECT');
    const running = withFlowRules(run('PENDING', dep, {deployment_concurrency_lease_id: 'lease-1'}), {type: 'RUNNING'}, [validateDeploymentConcurrencyAtRunning]);
    expect(running.write?.state_details.deployment_concurrency_lease_id).to.equal('lease-1');
    const completed = withFlowRules(run('RUNNING', dep, {deployment_concurrency_lease_id: 'lease-1'}), {type: 'COMPLETED'}, [releaseFlowConcurrencySlots]);
    expect(completed.effects).to.deep.equal([FREE]);
    expect(completed.write?.state_details.deployment_concurrency_lease_id).to.equal(null);
    dep = applied(dep, completed.effects);
    expect(withFlowRules(run('SCHEDULED', dep), {type: 'PENDING'}, [secureFlowConcurrencySlots]).status).to.equal('ACCEPT');
  });

  it('test_release_concurrency_slots_with_lease_does_not_require_deployment (the fallback decrement names the same limit)', () => {
    const decision = withFlowRules(run('PENDING', deployment(1, 1), {deployment_concurrency_lease_id: 'lease-1'}), {type: 'COMPLETED'}, [releaseFlowConcurrencySlots]);
    expect(decision.effects).to.deep.equal([FREE]);
  });

  it('test_secure_cleanup_on_fizzle', () => {
    const decision = withFlowRules(run('SCHEDULED', deployment(1)), {type: 'PENDING'}, [secureFlowConcurrencySlots, rescheduling]);
    expect(decision.status).to.equal('REJECT');
    expect(decision.effects).to.deep.equal([]);
  });

  it('test_cancel_new_collision_strategy', () => {
    const decision = withFlowRules(run('SCHEDULED', deployment(1, 1, 'CANCEL_NEW')), {type: 'PENDING'}, [secureFlowConcurrencySlots]);
    expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'Deployment concurrency limit reached.'});
    expect(decision.write).to.deep.include({type: 'CANCELLED', name: 'Cancelled', message: 'Deployment concurrency limit reached.'});
  });

  it('test_enqueue_collision_strategy', () => {
    const decision = withFlowRules(run('SCHEDULED', deployment(1, 1, 'ENQUEUE')), {type: 'PENDING'}, [secureFlowConcurrencySlots]);
    expect(decision.write).to.deep.include({type: 'SCHEDULED', name: 'AwaitingConcurrencySlot'});
  });

  it('test_uses_enqueue_collision_strategy_by_default', () => {
    const decision = withFlowRules(run('SCHEDULED', deployment(1, 1)), {type: 'PENDING'}, [secureFlowConcurrencySlots], {
      now: NOW,
      newId: () => 'id',
      settings: {deployment_concurrency_slot_wait_seconds: 5},
    });
    expect(decision.write?.state_details.scheduled_time).to.equal('2026-01-10T12:00:05.000000Z');
  });

  it('test_zero_concurrency_limit', () => {
    const decision = withFlowRules(run('SCHEDULED', deployment(0)), {type: 'PENDING'}, [secureFlowConcurrencySlots]);
    expect(decision).to.deep.include({
      status: 'ABORT',
      details: {type: 'abort_details', reason: 'The deployment concurrency limit is 0. The flow will deadlock if submitted again.'},
      effects: [],
    });
  });

  it('test_no_concurrency_limit', () => {
    const dep = {id: DEPLOYMENT_ID, concurrency_limit_id: null, concurrency_options: null, global_concurrency_limit: null};
    expect(withFlowRules(run('SCHEDULED', dep), {type: 'PENDING'}, [secureFlowConcurrencySlots])).to.deep.include({status: 'ACCEPT', effects: []});
  });

  it('aborts when the deployment row is gone', () => {
    expect(withFlowRules(run('SCHEDULED', null), {type: 'PENDING'}, [secureFlowConcurrencySlots]).details).to.deep.equal({
      type: 'abort_details',
      reason: 'Deployment not found.',
    });
  });

  it('an inactive limit takes no slot and enqueues the run, as bulk_increment_active_slots fails on it', () => {
    const dep = deployment(5);
    dep.global_concurrency_limit!.active = false;
    expect(withFlowRules(run('SCHEDULED', dep), {type: 'PENDING'}, [secureFlowConcurrencySlots]).write?.name).to.equal('AwaitingConcurrencySlot');
  });

  it('test_release_concurrency_slots_nullified_transition_last', () => {
    const decision = withFlowRules(run('RUNNING', deployment(1, 1)), {type: 'COMPLETED'}, [releaseFlowConcurrencySlots, aborting]);
    expect(decision).to.deep.include({status: 'ABORT', details: {type: 'abort_details', reason: 'For testing purposes'}, effects: []});
  });

  it('test_flow_run_cancellation', () => {
    const dep = deployment(1, 1);
    expect(withFlowRules(run('RUNNING', dep), {type: 'CANCELLING'}, [releaseFlowConcurrencySlots]).effects).to.deep.equal([]);
    expect(withFlowRules(run('CANCELLING', dep), {type: 'CANCELLED'}, [releaseFlowConcurrencySlots]).effects).to.deep.equal([FREE]);
  });

  it('test_pending_running_completed_releases_concurrency_slot', () => {
    const dep = deployment(1, 1);
    expect(withFlowRules(run('PENDING', dep), {type: 'RUNNING'}, [validateDeploymentConcurrencyAtRunning, releaseFlowConcurrencySlots]).effects).to.deep.equal([]);
    expect(withFlowRules(run('RUNNING', dep), {type: 'COMPLETED'}, [releaseFlowConcurrencySlots]).effects).to.deep.equal([FREE]);
  });

  it('releases nothing for a run without a deployment', () => {
    expect(withFlowRules(flowRun(stored('RUNNING')), {type: 'COMPLETED'}, [releaseFlowConcurrencySlots]).effects).to.deep.equal([]);
  });
});

describe('EnforceDeploymentConcurrencyOnLate', () => {
  const late = {type: 'SCHEDULED' as const, name: 'Late'};

  it('cancels instead of marking Late when a CANCEL_NEW deployment is full', () => {
    const decision = withFlowRules(run('SCHEDULED', deployment(1, 1, 'CANCEL_NEW')), late, [enforceDeploymentConcurrencyOnLate]);
    expect(decision.details).to.deep.equal({type: 'reject_details', reason: 'Deployment concurrency limit is full and uses the CANCEL_NEW strategy.'});
    expect(decision.write).to.deep.include({type: 'CANCELLED', message: 'Deployment concurrency limit reached.'});
  });

  it('marks Late when there is room, the strategy is ENQUEUE, or there is no limit', () => {
    for (const dep of [deployment(2, 1, 'CANCEL_NEW'), deployment(1, 1, 'ENQUEUE'), deployment(1, 1)]) {
      expect(withFlowRules(run('SCHEDULED', dep), late, [enforceDeploymentConcurrencyOnLate]).write?.name).to.equal('Late');
    }
  });
});

describe('TestValidateDeploymentConcurrencyAtRunning', () => {
  const toRunning = (details: Record<string, unknown>, dep: DeploymentConcurrencyFacts | null, proposedDetails = {}) =>
    withFlowRules(run('PENDING', dep, details), {type: 'RUNNING', state_details: proposedDetails}, [validateDeploymentConcurrencyAtRunning]);

  it('test_copies_lease_id_when_no_validation_needed', () => {
    const decision = toRunning({deployment_concurrency_lease_id: 'lease-1'}, deployment(1, 1));
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.state_details.deployment_concurrency_lease_id).to.equal('lease-1');
    expect(decision.effects).to.deep.equal([]);
  });

  it('test_default_client_version_to_2_0_0 (prefectdb has no client version: the lease is not validated)', () => {
    const decision = toRunning({deployment_concurrency_lease_id: 'lease-1'}, deployment(1, 1), {deployment_concurrency_lease_id: 'other'});
    expect(decision.write?.state_details.deployment_concurrency_lease_id).to.equal('lease-1');
    expect(decision.effects).to.deep.equal([]);
  });

  it('test_handles_no_lease_id', () => {
    const decision = toRunning({}, deployment(1, 1), {deployment_concurrency_lease_id: 'proposed'});
    expect(decision.status).to.equal('ACCEPT');
    expect(decision.write?.state_details.deployment_concurrency_lease_id).to.equal(null);
  });

  it('test_handles_no_deployment_concurrency_limit', () => {
    expect(toRunning({deployment_concurrency_lease_id: 'lease-1'}, null).status).to.equal('ACCEPT');
  });
});
