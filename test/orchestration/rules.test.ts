import {expect} from 'chai';

import {STATE_TYPES, type StateType} from '../../src/orchestration/contract.js';
import {ALL_STATES, type Rule, type RuleControl, type TaskContext, rule, transform} from '../../src/orchestration/rules.js';
import {makeState} from '../../src/orchestration/states.js';
import {NOW, stored, taskRun, withTaskRules} from './support.js';

/** A rule that counts its hooks, optionally doing something to the transition on entry. */
function spy(name: string, act?: (ctx: TaskContext, control: RuleControl) => void, from = ALL_STATES, to = ALL_STATES) {
  const calls = {before: 0, after: 0, cleanup: 0};
  const made: Rule<TaskContext> = rule<TaskContext>(name, from, to, () => ({
    before(ctx, control) {
      calls.before += 1;
      act?.(ctx, control);
    },
    after() {
      calls.after += 1;
    },
    cleanup() {
      calls.cleanup += 1;
    },
  }));
  return {rule: made, calls};
}

const other = (...types: StateType[]): StateType => STATE_TYPES.find((t) => !types.includes(t))!;

describe('TestBaseOrchestrationRule', () => {
  it('test_valid_rules_fire_before_and_after_transitions', () => {
    const valid = spy('Valid');
    const decision = withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [valid.rule]);
    expect(valid.calls).to.deep.equal({before: 1, after: 1, cleanup: 0});
    expect(decision.status).to.equal('ACCEPT');
  });

  it('test_invalid_rules_are_noops', () => {
    const invalid = spy('Invalid', undefined, new Set(['COMPLETED']), new Set(['FAILED']));
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [invalid.rule]);
    expect(invalid.calls).to.deep.equal({before: 0, after: 0, cleanup: 0});
  });

  it('test_fizzled_rules_fire_before_hooks_then_cleanup', () => {
    const fizzling = spy('Fizzling');
    const mutator = spy('Mutator', (ctx) => {
      ctx.proposed = makeState(other('PENDING', 'RUNNING'), NOW);
    });
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [fizzling.rule, mutator.rule]);
    expect(fizzling.calls).to.deep.equal({before: 1, after: 0, cleanup: 1});
  });

  it('test_rules_that_reject_state_do_not_fizzle_themselves', () => {
    const rejecting = spy('Rejecting', (ctx, control) => control.reject(makeState('CANCELLED', NOW), 'no'));
    const decision = withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [rejecting.rule]);
    expect(rejecting.calls).to.deep.equal({before: 1, after: 1, cleanup: 0});
    expect(decision).to.deep.include({status: 'REJECT', details: {type: 'reject_details', reason: 'no'}});
    expect(decision.write?.type).to.equal('CANCELLED');
  });

  it('test_rules_that_wait_do_not_fizzle_themselves', () => {
    const waiting = spy('Waiting', (_ctx, control) => control.delay(42, 'wait'));
    const decision = withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [waiting.rule]);
    expect(waiting.calls).to.deep.equal({before: 1, after: 1, cleanup: 0});
    expect(decision).to.deep.include({status: 'WAIT', details: {type: 'wait_details', reason: 'wait', delay_seconds: 42}, write: null});
  });

  it('test_rules_that_abort_do_not_fizzle_themselves', () => {
    const aborting = spy('Aborting', (_ctx, control) => control.abort('stop'));
    const decision = withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [aborting.rule]);
    expect(aborting.calls).to.deep.equal({before: 1, after: 1, cleanup: 0});
    expect(decision).to.deep.include({status: 'ABORT', details: {type: 'abort_details', reason: 'stop'}, write: null});
  });

  it('test_rules_that_raise_exceptions_during_before_transition', () => {
    const raising = spy('Raising', () => {
      throw new Error('bad');
    });
    const decision = withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [raising.rule]);
    expect(decision.status).to.equal('ABORT');
    expect(decision.details.reason).to.equal('Aborting orchestration due to error in Raising: bad');
    expect(decision.write).to.equal(null);
  });

  it('test_rules_enforce_initial_state_validity', () => {
    const guarded = spy('Guarded', undefined, new Set(['SCHEDULED']), ALL_STATES);
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [guarded.rule]);
    expect(guarded.calls.before).to.equal(0);
  });

  it('test_rules_enforce_proposed_state_validity', () => {
    const guarded = spy('Guarded', undefined, ALL_STATES, new Set(['COMPLETED']));
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [guarded.rule]);
    expect(guarded.calls.before).to.equal(0);
  });

  it('test_nested_valid_rules_fire_hooks', () => {
    const rules = [spy('A'), spy('B'), spy('C')];
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, rules.map((r) => r.rule));
    for (const r of rules) expect(r.calls).to.deep.equal({before: 1, after: 1, cleanup: 0});
  });

  it('test_complex_nested_rules_interact_sensibly', () => {
    const first = spy('First');
    const mutator = spy('Mutator', (_ctx, control) => control.reject(makeState(other('PENDING', 'RUNNING'), NOW), 'testing my dear watson'));
    const invalidated = spy('Invalidated');
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [first.rule, mutator.rule, invalidated.rule]);
    expect(first.calls).to.deep.equal({before: 1, after: 0, cleanup: 1});
    expect(mutator.calls).to.deep.equal({before: 1, after: 1, cleanup: 0});
    expect(invalidated.calls).to.deep.equal({before: 0, after: 0, cleanup: 0});
  });
});

describe('TestBaseUniversalTransform', () => {
  function universal() {
    const calls = {before: 0, after: 0};
    const made = transform<TaskContext>('Universal', () => ({
      before() {
        calls.before += 1;
      },
      after() {
        calls.after += 1;
      },
    }));
    return {rule: made, calls};
  }

  it('test_universal_transforms_always_fire_on_all_transitions', () => {
    for (const from of [null, ...STATE_TYPES]) {
      const u = universal();
      withTaskRules(taskRun(from ? stored(from) : null), {type: 'RUNNING'}, [u.rule]);
      expect(u.calls).to.deep.equal({before: 1, after: 1});
    }
  });

  it('test_universal_transforms_always_fire_on_nullified_transitions (and do nothing)', () => {
    const u = universal();
    const waiting = spy('Waiting', (_ctx, control) => control.delay(1, 'wait'));
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [waiting.rule, u.rule]);
    expect(u.calls).to.deep.equal({before: 0, after: 0});
  });

  it('test_universal_transforms_never_fire_after_transition_on_errored_transitions', () => {
    const u = universal();
    const raising = spy('Raising', () => {
      throw new Error('bad');
    });
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [u.rule, raising.rule]);
    expect(u.calls).to.deep.equal({before: 1, after: 0});
  });
});

describe('TestOrchestrationContext', () => {
  it('test_context_will_mutate_if_asked_politely', () => {
    const renaming = spy('Renaming', (_ctx, control) => control.rename('Polite'));
    const decision = withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [renaming.rule]);
    expect(decision.write?.name).to.equal('Polite');
    expect(decision.status).to.equal('ACCEPT');
  });

  it('test_context_validation_returns_none (no state, nothing proposed)', () => {
    const waiting = spy('Waiting', (_ctx, control) => control.delay(1, 'wait'));
    const decision = withTaskRules(taskRun(null), {type: 'RUNNING'}, [waiting.rule]);
    expect(decision.state).to.equal(null);
    expect(decision.write).to.equal(null);
  });

  it('test_context_validation_sets_run_state', () => {
    const decision = withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, []);
    expect(decision.columns.state_id).to.equal('id-1');
    expect(decision.state?.id).to.equal('id-1');
  });

  it('test_context_validation_writes_result_artifact', () => {
    const data = {type: 'reference', storage_key: 'abc'};
    const decision = withTaskRules(taskRun(stored('RUNNING')), {type: 'COMPLETED', data}, []);
    expect(decision.write).to.deep.include({id: 'id-1', data: null, result_artifact_id: 'id-2'});
    expect(decision.state?.data).to.deep.equal(data);
    expect(decision.effects).to.deep.equal([
      {
        kind: 'create_result_artifact',
        artifact: {id: 'id-2', key: null, type: null, description: null, data, metadata_: null, flow_run_id: taskRun(null).flow_run_id, task_run_id: taskRun(null).id},
      },
    ]);
  });

  it('test_context_validation_writes_result_artifact_with_metadata', () => {
    const data = {type: 'reference', artifact_key: 'k', artifact_type: 'result', artifact_description: 'd', value: 1};
    const decision = withTaskRules(taskRun(stored('RUNNING')), {type: 'COMPLETED', data}, []);
    const effect = decision.effects[0];
    expect(effect).to.deep.include({kind: 'create_result_artifact'});
    if (effect.kind !== 'create_result_artifact') return;
    expect(effect.artifact).to.deep.include({key: 'k', type: 'result', description: 'd', data: {type: 'reference', value: 1}});
    expect(decision.state?.data).to.deep.equal({type: 'reference', value: 1});
  });

  it('test_context_validation_does_not_write_artifact_when_no_result', () => {
    for (const data of [undefined, null, {type: 'unpersisted'}]) {
      const decision = withTaskRules(taskRun(stored('RUNNING')), {type: 'COMPLETED', data}, []);
      expect(decision.effects).to.deep.equal([]);
      expect(decision.write?.result_artifact_id).to.equal(null);
    }
  });
});

describe('TestNullRejection', () => {
  it('test_null_rejects_fizzle_all_prior_rules', () => {
    const prior = spy('Prior');
    const nulling = spy('Nulling', (_ctx, control) => control.reject(null, 'nope'));
    const decision = withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [prior.rule, nulling.rule]);
    expect(prior.calls).to.deep.equal({before: 1, after: 0, cleanup: 1});
    expect(decision).to.deep.include({status: 'REJECT', write: null});
  });

  it('test_null_rejects_abort_all_subsequent_rules', () => {
    const nulling = spy('Nulling', (_ctx, control) => control.reject(null, 'nope'));
    const later = spy('Later');
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [nulling.rule, later.rule]);
    expect(later.calls).to.deep.equal({before: 0, after: 0, cleanup: 0});
  });

  it('test_cannot_null_reject_runs_with_no_state', () => {
    const nulling = spy('Nulling', (_ctx, control) => control.reject(null, 'nope'));
    const decision = withTaskRules(taskRun(null), {type: 'RUNNING'}, [nulling.rule]);
    expect(decision.status).to.equal('ABORT');
    expect(decision.details.reason).to.match(/The current run has no state/);
  });

  it('test_context_will_not_write_new_state_with_null_reject', () => {
    const initial = stored('PENDING');
    const nulling = spy('Nulling', (_ctx, control) => control.reject(null, 'nope'));
    const decision = withTaskRules(taskRun(initial), {type: 'RUNNING'}, [nulling.rule]);
    expect(decision.write).to.equal(null);
    expect(decision.state).to.deep.equal(initial);
    expect(decision.columns).to.deep.equal({});
  });

  it('test_rules_that_reject_state_with_null_do_not_fizzle_themselves', () => {
    const nulling = spy('Nulling', (_ctx, control) => control.reject(null, 'nope'));
    withTaskRules(taskRun(stored('PENDING')), {type: 'RUNNING'}, [nulling.rule]);
    expect(nulling.calls).to.deep.equal({before: 1, after: 1, cleanup: 0});
  });
});

describe('errors in rules', () => {
  it('a rule error undoes every change and side effect, as the request\'s rollback does', () => {
    const effecting = rule<TaskContext>('Effecting', ALL_STATES, ALL_STATES, () => ({
      before(ctx) {
        ctx.effects.push({kind: 'concurrency_limit_v1_slot', tag: 't', task_run_id: ctx.run.id, action: 'take'});
        ctx.run.run_count = 99;
      },
    }));
    const raising = spy('Raising', () => {
      throw new Error('list index out of range');
    });
    const initial = stored('PENDING');
    const decision = withTaskRules(taskRun(initial), {type: 'RUNNING'}, [effecting, raising.rule]);
    expect(decision).to.deep.include({status: 'ABORT', write: null, columns: {}, effects: []});
    expect(decision.state).to.deep.equal(initial);
  });
});
