/**
 * The orchestration engine: what Prefect's server decides for a proposed state, as a pure
 * function of the run's facts. Callers apply the Decision (contract.ts) in one transaction.
 *
 * prefectdb calls the way the server's own services do: no client version and no API
 * version, i.e. a current client for every version-dependent rule.
 */
import type {Decision, FlowRunFacts, OrchestrationEnv, PolicyName, ProposedState, TaskRunFacts} from './contract.js';
import {runFlowRules, runTaskRules} from './engine.js';
import {GLOBAL_FLOW_POLICY, GLOBAL_TASK_POLICY} from './global-transforms.js';
import {
  BACKGROUND_TASK_POLICY,
  CORE_FLOW_POLICY,
  CORE_TASK_POLICY,
  MARK_LATE_RUNS_POLICY,
  MINIMAL_FLOW_POLICY,
  MINIMAL_TASK_POLICY,
} from './policies.js';
import type {FlowContext, Rule, TaskContext} from './rules.js';

export * from './contract.js';
export {canonicalStateName, defaultStateName, isTerminal, parseStateType, stateTypeOfName} from './state-names.js';

const FLOW_POLICIES: Partial<Record<PolicyName, readonly Rule<FlowContext>[]>> = {
  core: CORE_FLOW_POLICY,
  minimal: MINIMAL_FLOW_POLICY,
  'mark-late': MARK_LATE_RUNS_POLICY,
};

const TASK_POLICIES: Partial<Record<PolicyName, readonly Rule<TaskContext>[]>> = {
  core: CORE_TASK_POLICY,
  minimal: MINIMAL_TASK_POLICY,
  'background-task': BACKGROUND_TASK_POLICY,
};

export function orchestrateFlowRun(facts: FlowRunFacts, proposed: ProposedState, policy: PolicyName, env: OrchestrationEnv): Decision {
  const rules = FLOW_POLICIES[policy];
  if (!rules) throw new Error(`policy ${policy} does not apply to flow runs`);
  return runFlowRules(facts, proposed, rules, GLOBAL_FLOW_POLICY, env);
}

/**
 * A proposal with state_details.deferred always goes through BackgroundTaskPolicy, even when
 * forced, as Prefect's set_task_run_state does.
 */
export function orchestrateTaskRun(facts: TaskRunFacts, proposed: ProposedState, policy: PolicyName, env: OrchestrationEnv): Decision {
  const chosen: PolicyName = proposed.state_details?.deferred ? 'background-task' : policy;
  const rules = TASK_POLICIES[chosen];
  if (!rules) throw new Error(`policy ${policy} does not apply to task runs`);
  return runTaskRules(facts, proposed, rules, GLOBAL_TASK_POLICY, env);
}

