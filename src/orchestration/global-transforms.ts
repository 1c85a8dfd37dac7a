/**
 * Prefect's bookkeeping on every written state (server/orchestration/global_policy.py) and
 * the write itself (rules.py validate_proposed_state).
 */
import {copyJson} from '../db/codecs/json-text.js';
import type {Effect, FlowRunFacts, RunState, TaskRunFacts} from './contract.js';
import {type Context, type FlowContext, type Rule, type TaskContext, transform} from './rules.js';
import {flowRunPolicyJson, readFlowRunPolicy} from './run-policy.js';
import {isTerminal} from './state-names.js';
import {isPlainObject} from './states.js';
import {fromMicros, normalizeIso, toMicros} from './time.js';

type AnyContext = Context<FlowRunFacts | TaskRunFacts>;

const ensureFlowRunStateTimestampIsUnique = transform<FlowContext>('EnsureFlowRunStateTimestampIsUnique', () => ({
  before(ctx) {
    const proposed = ctx.proposed!;
    const timestamps = ctx.run.state_timestamps;
    if (timestamps.length === 0) return;
    const taken = new Set(timestamps.map(normalizeIso));
    let candidate = proposed.timestamp;
    while (taken.has(candidate)) candidate = fromMicros(toMicros(candidate) + 1);
    proposed.timestamp = candidate;
  },
}));

const setRunStateType = transform<AnyContext>('SetRunStateType', () => ({
  before(ctx) {
    ctx.run.state_type = ctx.proposed!.type;
  },
}));

const setRunStateName = transform<AnyContext>('SetRunStateName', () => ({
  before(ctx) {
    ctx.run.state_name = ctx.proposed!.name;
  },
}));

const setRunStateTimestamp = transform<AnyContext>('SetRunStateTimestamp', () => ({
  before(ctx) {
    ctx.run.state_timestamp = ctx.proposed!.timestamp;
  },
}));

const setStartTime = transform<AnyContext>('SetStartTime', () => ({
  before(ctx) {
    const proposed = ctx.proposed!;
    if (proposed.type === 'RUNNING' && ctx.run.start_time === null) ctx.run.start_time = proposed.timestamp;
  },
}));

const setEndTime = transform<AnyContext>('SetEndTime', () => ({
  before(ctx) {
    const proposed = ctx.proposed!;
    if (ctx.initial && isTerminal(ctx.initial.type) && !isTerminal(proposed.type)) ctx.run.end_time = null;
    if (isTerminal(proposed.type) && !ctx.run.end_time) {
      if (!ctx.run.start_time) ctx.run.start_time = proposed.timestamp;
      ctx.run.end_time = proposed.timestamp;
    }
  },
}));

const incrementRunTime = transform<AnyContext>('IncrementRunTime', () => ({
  before(ctx) {
    if (ctx.initial?.type !== 'RUNNING') return;
    const elapsed = toMicros(ctx.proposed!.timestamp) - toMicros(ctx.initial.timestamp);
    ctx.run.total_run_time = (Math.round(ctx.run.total_run_time * 1e6) + elapsed) / 1e6;
  },
}));

const setExpectedStartTime = transform<AnyContext>('SetExpectedStartTime', () => ({
  before(ctx) {
    const proposed = ctx.proposed!;
    if (ctx.run.expected_start_time) return;
    ctx.run.expected_start_time = proposed.type === 'SCHEDULED' ? proposed.state_details.scheduled_time : proposed.timestamp;
  },
}));

const setNextScheduledStartTime = transform<AnyContext>('SetNextScheduledStartTime', () => ({
  before(ctx) {
    const proposed = ctx.proposed!;
    if (ctx.initial?.type === 'SCHEDULED') ctx.run.next_scheduled_start_time = null;
    if (proposed.type === 'SCHEDULED') ctx.run.next_scheduled_start_time = proposed.state_details.scheduled_time;
  },
}));

const updateFlowStateDetails = transform<FlowContext>('UpdateStateDetails', () => ({
  before(ctx) {
    ctx.proposed!.state_details.flow_run_id = ctx.run.id;
  },
}));

const updateTaskStateDetails = transform<TaskContext>('UpdateStateDetails', () => ({
  before(ctx) {
    ctx.proposed!.state_details.flow_run_id = ctx.run.flow_run_id;
    ctx.proposed!.state_details.task_run_id = ctx.run.id;
  },
}));

const updateSubflowParentTask = transform<FlowContext>('UpdateSubflowParentTask', () => ({
  after(ctx) {
    const validated = ctx.validated;
    if (ctx.run.parent_task_run_id === null || validated === null) return;
    // fresh_copy: a new state (new id, timestamp now) with the same content
    ctx.effects.push({
      kind: 'update_subflow_parent_task',
      task_run_id: ctx.run.parent_task_run_id,
      state: {
        type: validated.type,
        name: validated.name,
        timestamp: ctx.env.now,
        message: validated.message,
        state_details: {...copyJson(validated.state_details), child_flow_run_id: ctx.run.id},
        data: copyJson(validated.data),
      },
    });
  },
}));

const updateSubflowStateDetails = transform<FlowContext>('UpdateSubflowStateDetails', () => ({
  before(ctx) {
    if (ctx.run.parent_task_run_id !== null) ctx.proposed!.state_details.task_run_id = ctx.run.parent_task_run_id;
  },
}));

const incrementFlowRunCount = transform<FlowContext>('IncrementFlowRunCount', () => ({
  before(ctx) {
    if (ctx.proposed!.type !== 'RUNNING') return;
    if (readFlowRunPolicy(ctx.run.empirical_policy).resuming) return;
    ctx.run.run_count += 1;
  },
}));

const removeResumingIndicator = transform<FlowContext>('RemoveResumingIndicator', () => ({
  before(ctx) {
    const type = ctx.proposed!.type;
    if (type !== 'RUNNING' && !isTerminal(type)) return;
    const policy = readFlowRunPolicy(ctx.run.empirical_policy);
    if (policy.resuming) ctx.run.empirical_policy = flowRunPolicyJson({...policy, resuming: false});
  },
}));

const incrementTaskRunCount = transform<TaskContext>('IncrementTaskRunCount', () => ({
  before(ctx) {
    if (ctx.proposed!.type === 'RUNNING') ctx.run.run_count += 1;
  },
}));

const common = [
  setRunStateType,
  setRunStateName,
  setRunStateTimestamp,
  setStartTime,
  setEndTime,
  incrementRunTime,
  setExpectedStartTime,
  setNextScheduledStartTime,
];

export const GLOBAL_FLOW_POLICY: readonly Rule<FlowContext>[] = [
  ensureFlowRunStateTimestampIsUnique,
  ...(common as Rule<FlowContext>[]),
  updateFlowStateDetails,
  updateSubflowParentTask,
  updateSubflowStateDetails,
  incrementFlowRunCount,
  removeResumingIndicator,
];

export const GLOBAL_TASK_POLICY: readonly Rule<TaskContext>[] = [
  ...(common as Rule<TaskContext>[]),
  updateTaskStateDetails,
  incrementTaskRunCount,
];

/**
 * validate_proposed_state: write the surviving proposal (its result goes to a new artifact,
 * the row's data column stays empty) and point the run at it; with no proposal, report the
 * current state and write nothing.
 */
export function validateProposedState(ctx: AnyContext, artifactRunIds: {flow_run_id: string | null; task_run_id: string | null}): void {
  const proposed = ctx.proposed;
  if (proposed === null) {
    ctx.validated = ctx.initial;
    return;
  }
  const id = ctx.env.newId();
  let data = proposed.data;
  let resultArtifactId: string | null = null;
  if (data !== null && data !== undefined && !(isPlainObject(data) && data.type === 'unpersisted')) {
    const artifact = artifactFromResult(data);
    data = artifact.data;
    resultArtifactId = ctx.env.newId();
    const effect: Effect = {kind: 'create_result_artifact', artifact: {id: resultArtifactId, ...artifact, metadata_: null, ...artifactRunIds}};
    ctx.effects.push(effect);
  }
  const row: RunState = {
    id,
    type: proposed.type,
    name: proposed.name,
    timestamp: proposed.timestamp,
    message: proposed.message,
    state_details: {...proposed.state_details},
    data: null,
    result_artifact_id: resultArtifactId,
  };
  ctx.written = row;
  ctx.run.state_id = id;
  ctx.validated = {...row, state_details: {...row.state_details}, data: data ?? null};
}

/** Artifact.from_result: artifact_key / artifact_type / artifact_description move out of the data. */
function artifactFromResult(data: unknown): {key: string | null; type: string | null; description: string | null; data: unknown} {
  if (!isPlainObject(data)) return {key: null, type: null, description: null, data};
  const {artifact_key: key, artifact_type: type, artifact_description: description, ...rest} = data;
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  return {key: text(key), type: text(type), description: text(description), data: rest};
}
