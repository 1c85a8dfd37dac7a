import {numberValue} from '../db/codecs/json-text.js';
import {isPlainObject} from './states.js';

/** A flow run's empirical_policy as Prefect's FlowRunPolicy model holds it. */
export interface FlowRunPolicy {
  max_retries: number;
  retry_delay_seconds: number;
  retries: number | null;
  retry_delay: number | null;
  pause_keys: string[];
  resuming: boolean | null;
  retry_type: 'in_process' | 'reschedule' | null;
}

/** A task run's empirical_policy as Prefect's TaskRunPolicy model reads it. */
export interface TaskRunPolicy {
  retries: number | null;
  retry_delay: number | number[] | null;
  retry_jitter_factor: number | null;
}

// Stored floats such as 0.0 decode as kept numbers, not JS numbers.
const num = numberValue;

/** FlowRunPolicy(**stored): defaults, then the deprecated max_retries / retry_delay_seconds fallbacks. */
export function readFlowRunPolicy(stored: unknown): FlowRunPolicy {
  const raw = isPlainObject(stored) ? stored : {};
  const maxRetries = num(raw.max_retries) ?? 0;
  const retryDelaySeconds = num(raw.retry_delay_seconds) ?? 0;
  let retries = num(raw.retries);
  let retryDelay = num(raw.retry_delay);
  if (!retries && maxRetries !== 0) retries = maxRetries;
  if (!retryDelay && retryDelaySeconds !== 0) retryDelay = retryDelaySeconds;
  const keys = Array.isArray(raw.pause_keys) ? raw.pause_keys.filter((k): k is string => typeof k === 'string') : [];
  const retryType = raw.retry_type === 'in_process' || raw.retry_type === 'reschedule' ? raw.retry_type : null;
  return {
    max_retries: maxRetries,
    retry_delay_seconds: retryDelaySeconds,
    retries,
    retry_delay: retryDelay,
    pause_keys: [...new Set(keys)],
    resuming: raw.resuming === undefined ? false : raw.resuming === null ? null : Boolean(raw.resuming),
    retry_type: retryType,
  };
}

/** The JSON Prefect writes for a FlowRunPolicy (model_dump, field order kept). */
export function flowRunPolicyJson(policy: FlowRunPolicy): Record<string, unknown> {
  return {...policy, pause_keys: [...policy.pause_keys]};
}

export function readTaskRunPolicy(stored: unknown): TaskRunPolicy {
  const raw = isPlainObject(stored) ? stored : {};
  const maxRetries = num(raw.max_retries) ?? 0;
  const retryDelaySeconds = num(raw.retry_delay_seconds) ?? 0;
  let retries = num(raw.retries);
  let retryDelay: number | number[] | null = Array.isArray(raw.retry_delay)
    ? raw.retry_delay.map(numberValue).filter((d): d is number => d !== null)
    : num(raw.retry_delay);
  if (!retries && maxRetries !== 0) retries = maxRetries;
  const delayUnset = retryDelay === null || retryDelay === 0 || (Array.isArray(retryDelay) && retryDelay.length === 0);
  if (delayUnset && retryDelaySeconds !== 0) retryDelay = retryDelaySeconds;
  return {retries, retry_delay: retryDelay, retry_jitter_factor: num(raw.retry_jitter_factor)};
}
