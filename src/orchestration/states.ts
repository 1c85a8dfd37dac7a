import {isJsonObject, isLosslessNumber} from '../db/codecs/json-text.js';
import type {ProposedState, RunState, StateDetails, StateType} from './contract.js';
import {defaultStateName} from './state-names.js';
import {normalizeIso} from './time.js';

/** A state while rules work on it: a proposal not yet written (it gets its id when written). */
export interface WorkingState {
  type: StateType;
  name: string;
  timestamp: string;
  message: string | null;
  state_details: StateDetails;
  data: unknown;
}

const TIME_FIELDS = ['scheduled_time', 'cache_expiration', 'pause_timeout'] as const;

/** StateDetails with Prefect's defaults for every missing field, times as ISO µs Z. */
export function fullStateDetails(partial?: Partial<StateDetails> | null): StateDetails {
  const given = partial ?? {};
  const details: StateDetails = {
    flow_run_id: given.flow_run_id ?? null,
    task_run_id: given.task_run_id ?? null,
    child_flow_run_id: given.child_flow_run_id ?? null,
    scheduled_time: given.scheduled_time ?? null,
    cache_key: given.cache_key ?? null,
    cache_expiration: given.cache_expiration ?? null,
    deferred: given.deferred === undefined ? false : given.deferred,
    untrackable_result: given.untrackable_result ?? false,
    pause_timeout: given.pause_timeout ?? null,
    pause_reschedule: given.pause_reschedule ?? false,
    pause_key: given.pause_key ?? null,
    run_input_keyset: given.run_input_keyset ?? null,
    refresh_cache: given.refresh_cache ?? null,
    retriable: given.retriable ?? null,
    transition_id: given.transition_id ?? null,
    task_parameters_id: given.task_parameters_id ?? null,
    traceparent: given.traceparent ?? null,
    deployment_concurrency_lease_id: given.deployment_concurrency_lease_id ?? null,
  };
  for (const field of TIME_FIELDS) {
    const value = details[field];
    if (value !== null) details[field] = normalizeIso(value);
  }
  return details;
}

/**
 * Prefect's State(...) construction: default name from the type, timestamp now, and a
 * Scheduled state without scheduled_time scheduled now.
 */
export function makeState(
  type: StateType,
  now: string,
  fields: {name?: string | null; timestamp?: string | null; message?: string | null; data?: unknown; state_details?: Partial<StateDetails> | null} = {},
): WorkingState {
  const state: WorkingState = {
    type,
    name: fields.name ?? defaultStateName(type),
    timestamp: normalizeIso(fields.timestamp ?? now),
    message: fields.message ?? null,
    state_details: fullStateDetails(fields.state_details),
    data: fields.data === undefined ? null : fields.data,
  };
  if (type === 'SCHEDULED' && !state.state_details.scheduled_time) state.state_details.scheduled_time = normalizeIso(now);
  return state;
}

export function fromProposal(proposed: ProposedState, now: string): WorkingState {
  return makeState(proposed.type, now, proposed);
}

/** A stored state as rules see it (copied so rules cannot touch the caller's objects). */
export function copyStoredState(state: RunState): RunState {
  return {...state, state_details: fullStateDetails(state.state_details)};
}

export function isPersistedResult(data: unknown): boolean {
  return isPlainObject(data) && data.type !== 'unpersisted';
}

export const isPlainObject = isJsonObject;

/** Python truthiness of a JSON value (an empty dict or list is false). */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (isLosslessNumber(value)) return Number(value.value) !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}
