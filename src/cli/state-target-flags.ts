import {isJsonObject, parseJson} from '../db/codecs/json-text.js';
import {Flags} from '@oclif/core';

import {parseInstant} from '../db/codecs/instant.js';
import {formatIsoInstant} from '../db/codecs/instant.js';
import {usageError} from '../errors.js';
import type {ProposedState, StateDetails, StateType} from '../orchestration/contract.js';
import {canonicalStateName, parseStateType, stateTypeOfName} from '../orchestration/state-names.js';
import {parseTimeInput} from './time-input.js';

/** The state set-state proposes: the flags of `flow-run set-state` / `task-run set-state`. */
export const stateTargetFlags = {
  'state-type': Flags.string({description: 'type of the new state, any case: SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, CRASHED, PAUSED, CANCELLING'}),
  state: Flags.string({description: 'name of the new state (Late, AwaitingRetry, Crashed, …); alone it implies the type'}),
  message: Flags.string({description: 'the new state\'s message'}),
  details: Flags.string({description: 'the new state\'s state_details as a JSON object, e.g. \'{"scheduled_time": "2026-01-31T12:00:00Z"}\''}),
  data: Flags.string({description: 'the new state\'s result as JSON, stored as Prefect stores a result (a result artifact)'}),
  timestamp: Flags.string({description: 'the new state\'s timestamp (ISO-8601, microseconds kept; default now, as the server stamps it)'}),
  force: Flags.boolean({description: 'Prefect\'s force=true: the minimal policy instead of the server\'s orchestration rules'}),
};

export interface StateTargetFlagValues {
  'state-type'?: string;
  state?: string;
  message?: string;
  details?: string;
  data?: string;
  timestamp?: string;
}

const DETAIL_FIELDS: ReadonlySet<string> = new Set([
  'flow_run_id', 'task_run_id', 'child_flow_run_id', 'scheduled_time', 'cache_key', 'cache_expiration', 'deferred',
  'untrackable_result', 'pause_timeout', 'pause_reschedule', 'pause_key', 'run_input_keyset', 'refresh_cache', 'retriable',
  'transition_id', 'task_parameters_id', 'traceparent', 'deployment_concurrency_lease_id',
]);
const DETAIL_TIMES = ['scheduled_time', 'cache_expiration', 'pause_timeout'] as const;

/** The proposed state the flags describe; bad input is exit 2 before anything is opened. */
export function proposedStateFrom(flags: StateTargetFlagValues): ProposedState {
  const type = targetType(flags['state-type'], flags.state);
  const proposed: ProposedState = {type};
  if (flags.state !== undefined) proposed.name = canonicalStateName(flags.state.trim());
  if (flags.message !== undefined) proposed.message = flags.message;
  if (flags.details !== undefined) proposed.state_details = parseDetails(flags.details);
  if (flags.data !== undefined) proposed.data = parseJsonFlag('--data', flags.data);
  if (flags.timestamp !== undefined) proposed.timestamp = parseTimeInput(flags.timestamp);
  return proposed;
}

function targetType(typeFlag: string | undefined, nameFlag: string | undefined): StateType {
  const type = typeFlag === undefined ? undefined : parseStateType(typeFlag);
  if (type === null) throw usageError(`unknown state type "${short(typeFlag!)}": use one of SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, CRASHED, PAUSED, CANCELLING`);
  if (nameFlag !== undefined && nameFlag.trim() === '') throw usageError('--state needs a name, such as Late or Crashed');
  const implied = nameFlag === undefined ? null : stateTypeOfName(nameFlag.trim());
  if (type && implied && implied !== type) {
    throw usageError(`--state ${short(nameFlag!)} is a ${implied} state, not ${type}: drop --state-type or give a matching one`);
  }
  if (type) return type;
  if (implied) return implied;
  if (nameFlag !== undefined) throw usageError(`unknown state name "${short(nameFlag)}": give --state-type too for a custom name`);
  throw usageError('give the new state: --state-type TYPE or --state NAME');
}

function parseDetails(text: string): Partial<StateDetails> {
  const value = parseJsonFlag('--details', text);
  if (!isJsonObject(value)) throw usageError('--details must be a JSON object of state_details fields');
  const details = value as Record<string, unknown>;
  for (const key of Object.keys(details)) {
    if (!DETAIL_FIELDS.has(key)) throw usageError(`--details: unknown state_details field "${short(key)}" (see Prefect's StateDetails)`);
  }
  for (const field of DETAIL_TIMES) {
    const time = details[field];
    if (time === undefined || time === null) continue;
    if (typeof time !== 'string') throw usageError(`--details: ${field} must be an ISO-8601 time`);
    try {
      details[field] = formatIsoInstant(parseInstant(time));
    } catch {
      throw usageError(`--details: ${field} "${short(time)}" is not an ISO-8601 time`);
    }
  }
  return details as Partial<StateDetails>;
}

function parseJsonFlag(flag: string, text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    throw usageError(`${flag} is not valid JSON: "${short(text)}"`);
  }
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
