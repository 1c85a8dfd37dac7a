import type {
  Decision,
  FlowRunFacts,
  OrchestrationEnv,
  ProposedState,
  RunState,
  StateDetails,
  StateType,
  TaskRunFacts,
} from '../../src/orchestration/contract.js';
import {runFlowRules, runTaskRules} from '../../src/orchestration/engine.js';
import type {FlowContext, Rule, TaskContext} from '../../src/orchestration/rules.js';
import {defaultStateName} from '../../src/orchestration/state-names.js';
import {fullStateDetails} from '../../src/orchestration/states.js';

export const NOW = '2026-01-10T12:00:00.000000Z';
export const FLOW_RUN_ID = '00000000-0000-7000-8000-00000000f100';
export const TASK_RUN_ID = '00000000-0000-7000-8000-00000000a100';
export const FLOW_ID = '00000000-0000-7000-8000-00000000f000';
export const DEPLOYMENT_ID = '00000000-0000-7000-8000-00000000d000';
export const LIMIT_ID = '00000000-0000-7000-8000-00000000c000';

/** An env whose ids are id-1, id-2, … in the order the engine asks for them. */
export function testEnv(overrides: Partial<OrchestrationEnv> = {}): OrchestrationEnv {
  let next = 0;
  return {now: NOW, newId: () => `id-${++next}`, ...overrides};
}

/** A stored state, timestamped a minute before NOW unless told. */
export function stored(
  type: StateType,
  fields: Partial<Omit<RunState, 'state_details'>> & {state_details?: Partial<StateDetails>} = {},
): RunState {
  const state: RunState = {
    id: fields.id ?? `state-${type.toLowerCase()}`,
    type,
    name: fields.name ?? defaultStateName(type),
    timestamp: fields.timestamp ?? '2026-01-10T11:59:00.000000Z',
    message: fields.message ?? null,
    state_details: fullStateDetails(fields.state_details),
    data: fields.data ?? null,
    result_artifact_id: fields.result_artifact_id ?? null,
  };
  if (type === 'SCHEDULED' && !state.state_details.scheduled_time) state.state_details.scheduled_time = state.timestamp;
  return state;
}

export function flowRun(state: RunState | null, overrides: Partial<FlowRunFacts> = {}): FlowRunFacts {
  return {
    id: FLOW_RUN_ID,
    flow_id: FLOW_ID,
    deployment_id: null,
    parent_task_run_id: null,
    infrastructure_pid: null,
    run_count: 0,
    start_time: null,
    end_time: null,
    total_run_time: 0,
    expected_start_time: null,
    next_scheduled_start_time: null,
    empirical_policy: {},
    state,
    state_timestamps: state ? [state.timestamp] : [],
    deployment: null,
    ...overrides,
  };
}

export function taskRun(state: RunState | null, overrides: Partial<TaskRunFacts> = {}): TaskRunFacts {
  return {
    id: TASK_RUN_ID,
    flow_run_id: FLOW_RUN_ID,
    tags: [],
    flow_run_run_count: 0,
    run_count: 0,
    start_time: null,
    end_time: null,
    total_run_time: 0,
    expected_start_time: null,
    next_scheduled_start_time: null,
    empirical_policy: {},
    state,
    flow_run: {id: FLOW_RUN_ID, run_count: 1, state: stored('RUNNING', {id: 'flow-state'})},
    v1_limits: [],
    v2_limits: [],
    cached_state: null,
    ...overrides,
  };
}

/** Runs only the given rules (no global transforms), as Prefect's rule tests do. */
export function withFlowRules(
  facts: FlowRunFacts,
  proposed: ProposedState,
  rules: readonly Rule<FlowContext>[],
  env: OrchestrationEnv = testEnv(),
): Decision {
  return runFlowRules(facts, proposed, rules, [], env);
}

export function withTaskRules(
  facts: TaskRunFacts,
  proposed: ProposedState,
  rules: readonly Rule<TaskContext>[],
  env: OrchestrationEnv = testEnv(),
): Decision {
  return runTaskRules(facts, proposed, rules, [], env);
}

export const minutesFromNow = (minutes: number): string => new Date(Date.parse(NOW) + minutes * 60_000).toISOString().replace('Z', '000Z');

/** The run's facts after a caller applied a Decision (state row, columns; slot effects aside). */
export function applyDecision<F extends FlowRunFacts | TaskRunFacts>(facts: F, decision: Decision): F {
  const next = {...facts} as F & Record<string, unknown>;
  for (const [key, value] of Object.entries(decision.columns)) {
    if (key in next) (next as Record<string, unknown>)[key] = value;
  }
  if (decision.write && decision.state) {
    next.state = decision.state;
    if ('state_timestamps' in next) (next as FlowRunFacts).state_timestamps = [...(next as FlowRunFacts).state_timestamps, decision.write.timestamp];
  }
  return next;
}
