/** Prefect's flow-run orchestration rules (server/orchestration/core_policy.py), deployment concurrency aside. */
import {ALL_STATES, type FlowContext, only, rule, TERMINAL, transform, allBut} from './rules.js';
import {flowRunPolicyJson, readFlowRunPolicy} from './run-policy.js';
import {isTerminal} from './state-names.js';
import {isPersistedResult, makeState, truthy} from './states.js';
import {addSeconds, toMicros} from './time.js';

/** Workers may send a null lease id; keep the current one forward. */
export const preserveDeploymentConcurrencyLeaseId = transform<FlowContext>('PreserveDeploymentConcurrencyLeaseId', () => ({
  before(ctx) {
    const leaseId = ctx.initial?.state_details.deployment_concurrency_lease_id ?? null;
    if (leaseId !== null && ctx.proposed!.state_details.deployment_concurrency_lease_id === null) {
      ctx.proposed!.state_details.deployment_concurrency_lease_id = leaseId;
    }
  },
}));

export const preventDuplicateTransitions = rule<FlowContext>('PreventDuplicateTransitions', ALL_STATES, ALL_STATES, () => ({
  before(ctx, control) {
    if (!ctx.initial || !ctx.proposed) return;
    const current = ctx.initial.state_details.transition_id;
    if (current !== null && current === ctx.proposed.state_details.transition_id) {
      control.reject(null, 'This run has already made this state transition.');
    }
  },
}));

export const handleFlowTerminalStateTransitions = rule<FlowContext>('HandleFlowTerminalStateTransitions', TERMINAL, ALL_STATES, () => {
  let originalPolicy: Record<string, unknown> | null = null;
  return {
    before(ctx, control) {
      const initial = ctx.initial;
      const proposed = ctx.proposed;
      if (!initial || !proposed) return;
      originalPolicy = flowRunPolicyJson(readFlowRunPolicy(ctx.run.empirical_policy));
      if (proposed.type === 'CANCELLING' || proposed.type === 'PAUSED' || proposed.type === 'CRASHED') {
        control.abort(`Run is already in terminal state ${initial.type}.`);
        return;
      }
      const completedWithResult = initial.type === 'COMPLETED' && truthy(initial.data) && isPersistedResult(initial.data);
      if (completedWithResult && !isTerminal(proposed.type)) {
        control.reject(null, 'Run is already COMPLETED.');
        return;
      }
      if (completedWithResult && proposed.type === 'COMPLETED' && !isPersistedResult(proposed.data)) {
        control.reject(null, 'Cannot overwrite a COMPLETED state that carries persisted result data with one that does not.');
        return;
      }
      if (proposed.type === 'SCHEDULED' && !ctx.run.deployment_id) {
        control.abort('Cannot reschedule a run without an associated deployment.');
        return;
      }
      if (!isTerminal(proposed.type)) {
        const policy = readFlowRunPolicy(ctx.run.empirical_policy);
        ctx.run.empirical_policy = flowRunPolicyJson({
          ...policy,
          resuming: false,
          pause_keys: [],
          retry_type: proposed.type === 'SCHEDULED' ? 'reschedule' : null,
        });
      }
    },
    cleanup(ctx) {
      if (originalPolicy !== null) ctx.run.empirical_policy = originalPolicy;
    },
  };
});

/** MinimalFlowPolicy's guard: forcing COMPLETED over COMPLETED must not drop a persisted result. */
export const preventResultDataLoss = rule<FlowContext>('PreventResultDataLoss', TERMINAL, TERMINAL, () => ({
  before(ctx, control) {
    const initial = ctx.initial;
    const proposed = ctx.proposed;
    if (!initial || !proposed) return;
    if (
      initial.type === 'COMPLETED' &&
      proposed.type === 'COMPLETED' &&
      truthy(initial.data) &&
      isPersistedResult(initial.data) &&
      !isPersistedResult(proposed.data)
    ) {
      control.reject(null, 'Cannot overwrite a COMPLETED state that carries persisted result data with one that does not.');
    }
  },
}));

export const enforceCancellingToCancelledTransition = rule<FlowContext>(
  'EnforceCancellingToCancelledTransition',
  only('CANCELLING'),
  allBut('CANCELLED'),
  () => ({
    before(_ctx, control) {
      control.reject(null, 'Cannot transition flows that are cancelling to a state other than Cancelled.');
    },
  }),
);

export const bypassCancellingFlowRunsWithNoInfra = rule<FlowContext>(
  'BypassCancellingFlowRunsWithNoInfra',
  only('SCHEDULED', 'PAUSED'),
  only('CANCELLING'),
  () => ({
    before(ctx, control) {
      const initial = ctx.initial;
      if (!initial || !ctx.proposed) return;
      if ((initial.type === 'SCHEDULED' && !ctx.run.infrastructure_pid) || initial.name === 'Resuming') {
        control.reject(makeState('CANCELLED', ctx.env.now), 'Scheduled flow run has no infrastructure to terminate.');
      } else if (initial.type === 'PAUSED' && initial.state_details.pause_reschedule) {
        control.reject(makeState('CANCELLED', ctx.env.now), 'Suspended flow run has no infrastructure to terminate.');
      }
    },
  }),
);

export const ensureOnlyScheduledFlowsMarkedLate = rule<FlowContext>('EnsureOnlyScheduledFlowsMarkedLate', ALL_STATES, only('SCHEDULED'), () => ({
  before(ctx, control) {
    const initial = ctx.initial;
    const proposed = ctx.proposed;
    if (!initial || !proposed) return;
    if (proposed.type !== 'SCHEDULED' || proposed.name !== 'Late') return;
    if (initial.type !== 'SCHEDULED') control.reject(null, 'Only scheduled flows can be marked late.');
    else if (initial.name === 'Late') control.reject(null, 'This flow run is already marked late.');
  },
}));

export const handlePausingFlows = rule<FlowContext>('HandlePausingFlows', ALL_STATES, only('PAUSED'), () => {
  let key: string | null = null;
  return {
    before(ctx, control) {
      const proposed = ctx.proposed;
      if (!proposed) return;
      const verb = proposed.name === 'Suspended' ? 'suspend' : 'pause';
      if (!ctx.initial) {
        control.abort(`Cannot ${verb} flows with no state.`);
        return;
      }
      if (ctx.initial.type !== 'RUNNING') {
        control.reject(null, `Cannot ${verb} flows that are not currently running.`);
        return;
      }
      key = proposed.state_details.pause_key ?? ctx.env.newId();
      if (readFlowRunPolicy(ctx.run.empirical_policy).pause_keys.includes(key)) {
        control.reject(null, `This ${verb} has already fired.`);
        return;
      }
      if (proposed.state_details.pause_reschedule) {
        if (ctx.run.parent_task_run_id) {
          control.abort(`Cannot ${verb} subflows.`);
          return;
        }
        if (ctx.run.deployment_id === null) control.abort(`Cannot ${verb} flows without a deployment.`);
      }
    },
    after(ctx) {
      if (key === null) return;
      const policy = readFlowRunPolicy(ctx.run.empirical_policy);
      ctx.run.empirical_policy = flowRunPolicyJson({...policy, pause_keys: [...new Set([...policy.pause_keys, key])]});
    },
  };
});

export const handleResumingPausedFlows = rule<FlowContext>('HandleResumingPausedFlows', only('PAUSED'), ALL_STATES, () => ({
  before(ctx, control) {
    const initial = ctx.initial;
    const proposed = ctx.proposed;
    if (!initial || !proposed) return;
    if (!(proposed.type === 'RUNNING' || proposed.type === 'SCHEDULED' || isTerminal(proposed.type))) {
      control.reject(null, `This run cannot transition to the ${proposed.type} state from the ${initial.type} state.`);
      return;
    }
    const verb = proposed.name === 'Suspended' ? 'suspend' : 'pause';
    const displayName = proposed.name ? proposed.name.toLowerCase() : proposed.type.toLowerCase();
    if (initial.state_details.pause_reschedule && !ctx.run.deployment_id) {
      control.reject(null, `Cannot reschedule a ${displayName} flow run without a deployment.`);
      return;
    }
    const timeout = initial.state_details.pause_timeout;
    if (timeout && toMicros(timeout) < toMicros(ctx.env.now)) {
      control.reject(
        makeState('FAILED', ctx.env.now, {message: `The flow was ${displayName} and never resumed.`}),
        `The flow run ${verb} has timed out and can no longer resume.`,
      );
    }
  },
  after(ctx) {
    ctx.run.empirical_policy = flowRunPolicyJson({...readFlowRunPolicy(ctx.run.empirical_policy), resuming: true});
  },
}));

export const retryFailedFlows = rule<FlowContext>('RetryFailedFlows', only('RUNNING'), only('FAILED'), () => ({
  before(ctx, control) {
    const proposed = ctx.proposed;
    if (!ctx.initial || !proposed) return;
    const policy = readFlowRunPolicy(ctx.run.empirical_policy);
    if (policy.retries === null || ctx.run.run_count > policy.retries) {
      // clear the retry type so infrastructure-level retries (the UI's) can follow
      ctx.run.empirical_policy = flowRunPolicyJson({...policy, retry_type: null});
      return;
    }
    const scheduledTime = addSeconds(ctx.env.now, policy.retry_delay || 0);
    ctx.run.empirical_policy = flowRunPolicyJson({...policy, resuming: false, pause_keys: [], retry_type: 'in_process'});
    const retry = makeState('SCHEDULED', ctx.env.now, {
      name: 'AwaitingRetry',
      message: proposed.message,
      data: proposed.data,
      state_details: {scheduled_time: scheduledTime},
    });
    control.reject(retry, 'Retrying');
  },
}));
