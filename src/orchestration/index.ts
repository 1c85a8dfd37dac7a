/**
 * The orchestration engine: what Prefect's server decides for a proposed state, as a pure
 * function of the run's facts. Callers apply the Decision (contract.ts) in one transaction.
 *
 * prefectdb calls the way the server's own services do: no client version and no API
 * version, i.e. a current client for every version-dependent rule.
 */
import {
  DEFAULT_SETTINGS,
  type Decision,
  type FlowRunFacts,
  type OrchestrationEnv,
  type PolicyName,
  type ProposedState,
  type RunColumnChanges,
  type TaskRunFacts,
} from './contract.js';
import {GLOBAL_FLOW_POLICY, GLOBAL_TASK_POLICY, validateProposedState} from './global-transforms.js';
import {
  BACKGROUND_TASK_POLICY,
  CORE_FLOW_POLICY,
  CORE_TASK_POLICY,
  MARK_LATE_RUNS_POLICY,
  MINIMAL_FLOW_POLICY,
  MINIMAL_TASK_POLICY,
} from './policies.js';
import {type Context, orchestrate, type ResolvedEnv, type Rule, type WorkingRun} from './rules.js';
import {copyStoredState, fromProposal} from './states.js';
import {normalizeIso} from './time.js';

export * from './contract.js';
export {canonicalStateName, defaultStateName, isTerminal, parseStateType, stateTypeOfName} from './state-names.js';

export function orchestrateFlowRun(facts: FlowRunFacts, proposed: ProposedState, policy: PolicyName, env: OrchestrationEnv): Decision {
  const rules = {core: CORE_FLOW_POLICY, minimal: MINIMAL_FLOW_POLICY, 'mark-late': MARK_LATE_RUNS_POLICY}[policy as string];
  if (!rules) throw new Error(`policy ${policy} does not apply to flow runs`);
  const ctx = makeContext(facts, proposed, env);
  orchestrate(ctx, rules, GLOBAL_FLOW_POLICY, (c) => validateProposedState(c, {flow_run_id: facts.id, task_run_id: null}));
  return decide(ctx, facts);
}

/**
 * A proposal with state_details.deferred always goes through BackgroundTaskPolicy, even when
 * forced, as Prefect's set_task_run_state does.
 */
export function orchestrateTaskRun(facts: TaskRunFacts, proposed: ProposedState, policy: PolicyName, env: OrchestrationEnv): Decision {
  const chosen: PolicyName = proposed.state_details?.deferred ? 'background-task' : policy;
  const rules = {core: CORE_TASK_POLICY, minimal: MINIMAL_TASK_POLICY, 'background-task': BACKGROUND_TASK_POLICY}[chosen as string];
  if (!rules) throw new Error(`policy ${policy} does not apply to task runs`);
  const ctx = makeContext(facts, proposed, env);
  orchestrate(ctx, rules as readonly Rule<Context<TaskRunFacts>>[], GLOBAL_TASK_POLICY, (c) =>
    validateProposedState(c, {flow_run_id: facts.flow_run_id, task_run_id: facts.id}),
  );
  return decide(ctx, facts);
}

function resolveEnv(env: OrchestrationEnv): ResolvedEnv {
  return {
    now: normalizeIso(env.now),
    newId: env.newId,
    settings: {...DEFAULT_SETTINGS, ...env.settings},
    poissonInterval: env.poissonInterval ?? ((average) => average),
  };
}

function makeContext<F extends FlowRunFacts | TaskRunFacts>(facts: F, proposed: ProposedState, env: OrchestrationEnv): Context<F> {
  const resolved = resolveEnv(env);
  const run = {
    ...structuredClone(facts),
    state_id: facts.state?.id ?? null,
    state_type: facts.state?.type ?? null,
    state_name: facts.state?.name ?? null,
    state_timestamp: facts.state?.timestamp ?? null,
  } as WorkingRun<F>;
  return {
    run,
    initial: facts.state ? copyStoredState(facts.state) : null,
    proposed: fromProposal(proposed, resolved.now),
    validated: null,
    written: null,
    status: 'ACCEPT',
    details: {type: 'accept_details', reason: null},
    error: null,
    effects: [],
    env: resolved,
  };
}

const TRACKED_COLUMNS = [
  'run_count',
  'start_time',
  'end_time',
  'total_run_time',
  'expected_start_time',
  'next_scheduled_start_time',
  'empirical_policy',
  'flow_run_run_count',
] as const;

function decide<F extends FlowRunFacts | TaskRunFacts>(ctx: Context<F>, facts: F): Decision {
  const columns: RunColumnChanges = {};
  const run = ctx.run as unknown as Record<string, unknown>;
  const before = facts as unknown as Record<string, unknown>;
  if (ctx.written) {
    Object.assign(columns, {
      state_id: ctx.written.id,
      state_type: ctx.run.state_type,
      state_name: ctx.run.state_name,
      state_timestamp: ctx.run.state_timestamp,
    });
  }
  for (const key of TRACKED_COLUMNS) {
    if (!(key in run)) continue;
    if (JSON.stringify(run[key]) !== JSON.stringify(before[key])) (columns as Record<string, unknown>)[key] = run[key];
  }
  return {
    status: ctx.status,
    details: ctx.details,
    write: ctx.written,
    state: ctx.validated,
    columns,
    effects: ctx.effects,
  };
}
