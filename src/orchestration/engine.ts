/** Building a transition's context, running rules over it and reading the Decision off it. */
import {
  DEFAULT_SETTINGS,
  type Decision,
  type FlowRunFacts,
  type OrchestrationEnv,
  type ProposedState,
  type RunColumnChanges,
  type TaskRunFacts,
} from './contract.js';
import {validateProposedState} from './global-transforms.js';
import {type Context, type FlowContext, orchestrate, type ResolvedEnv, type Rule, type TaskContext, type WorkingRun} from './rules.js';
import {copyStoredState, fromProposal} from './states.js';
import {normalizeIso} from './time.js';

/** Runs `rules` then `globalRules` over a flow-run transition and validates it. */
export function runFlowRules(
  facts: FlowRunFacts,
  proposed: ProposedState,
  rules: readonly Rule<FlowContext>[],
  globalRules: readonly Rule<FlowContext>[],
  env: OrchestrationEnv,
): Decision {
  const ctx = makeContext(facts, proposed, env);
  orchestrate(ctx, rules, globalRules, (c) => validateProposedState(c, {flow_run_id: facts.id, task_run_id: null}));
  return decide(ctx, facts);
}

/** Runs `rules` then `globalRules` over a task-run transition and validates it. */
export function runTaskRules(
  facts: TaskRunFacts,
  proposed: ProposedState,
  rules: readonly Rule<TaskContext>[],
  globalRules: readonly Rule<TaskContext>[],
  env: OrchestrationEnv,
): Decision {
  const ctx = makeContext(facts, proposed, env);
  orchestrate(ctx, rules, globalRules, (c) => validateProposedState(c, {flow_run_id: facts.flow_run_id, task_run_id: facts.id}));
  return decide(ctx, facts);
}

// a bulk change passes one env for thousands of runs
const resolvedEnvs = new WeakMap<OrchestrationEnv, {now: string; resolved: ResolvedEnv}>();

function resolveEnv(env: OrchestrationEnv): ResolvedEnv {
  const cached = resolvedEnvs.get(env);
  if (cached && cached.now === env.now) return cached.resolved;
  const resolved: ResolvedEnv = {
    now: normalizeIso(env.now),
    newId: env.newId,
    settings: {...DEFAULT_SETTINGS, ...env.settings},
    poissonInterval: env.poissonInterval ?? ((average) => average),
  };
  resolvedEnvs.set(env, {now: env.now, resolved});
  return resolved;
}

function makeContext<F extends FlowRunFacts | TaskRunFacts>(facts: F, proposed: ProposedState, env: OrchestrationEnv): Context<F> {
  const resolved = resolveEnv(env);
  // rules replace the run's values (the policy object included) and never change them in place
  const run = {
    ...facts,
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
  // Prefect raises a rule's error out of the request, and its transaction rolls back
  if (ctx.error !== null) return {status: 'ABORT', details: ctx.details, write: null, state: ctx.initial, columns: {}, effects: []};
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
    const [after, was] = [run[key], before[key]];
    const changed = typeof after === 'object' && after !== null ? JSON.stringify(after) !== JSON.stringify(was) : after !== was;
    if (changed) (columns as Record<string, unknown>)[key] = after;
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
