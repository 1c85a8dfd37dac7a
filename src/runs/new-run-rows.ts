import type {Row} from '../repositories/common.js';
import type {NewRun} from '../repositories/scheduled-runs.js';
import {pythonFloat} from '../db/codecs/json-text.js';

/** StateDetails as Pydantic dumps it (schemas/states.py field order), before any run id is filled in. */
export function stateDetails(scheduledTime: string | null): Row {
  return {
    flow_run_id: null,
    task_run_id: null,
    child_flow_run_id: null,
    scheduled_time: scheduledTime,
    cache_key: null,
    cache_expiration: null,
    deferred: false,
    untrackable_result: false,
    pause_timeout: null,
    pause_reschedule: false,
    pause_key: null,
    run_input_keyset: null,
    refresh_cache: null,
    retriable: null,
    transition_id: null,
    task_parameters_id: null,
    traceparent: null,
    deployment_concurrency_lease_id: null,
  };
}

/** FlowRunPolicy's defaults as Prefect's ORM writes them for a new run. */
export function defaultEmpiricalPolicy(): Row {
  return storedPolicy({
    max_retries: 0,
    retry_delay_seconds: 0,
    retries: null,
    retry_delay: null,
    pause_keys: [],
    resuming: false,
    retry_type: null,
  });
}

/** The policy as stored: retry_delay_seconds is a Python float (0.0). */
export function storedPolicy(policy: Row): Row {
  const delay = policy.retry_delay_seconds;
  return typeof delay === 'number' ? {...policy, retry_delay_seconds: pythonFloat(delay)} : policy;
}

/** What a deployment contributes to the runs made from it. */
export interface RunSourceDeployment {
  id: string;
  flow_id: string;
  version: string | null;
  /** The stored column (not the linked queue's name): Prefect copies the attribute. */
  work_queue_name: string | null;
  work_queue_id: string | null;
  parameters: Record<string, unknown>;
  infrastructure_document_id: string | null;
  tags: string[];
  labels: Record<string, unknown> | null;
}

/** Deployment labels, then the system labels Prefect adds to a run made from it. */
export function runLabels(deployment: RunSourceDeployment): Record<string, unknown> {
  return {...(deployment.labels ?? {}), 'prefect.flow.id': deployment.flow_id, 'prefect.deployment.id': deployment.id};
}

export interface ScheduledStateInput {
  stateId: string;
  runId: string;
  /** When the state was proposed (now). */
  timestamp: string;
  /** state_details.scheduled_time as Pydantic writes it. */
  scheduledTimeText: string;
  message: string | null;
}

export function scheduledStateRow(input: ScheduledStateInput): Row {
  return {
    id: input.stateId,
    created: input.timestamp,
    updated: input.timestamp,
    type: 'SCHEDULED',
    timestamp: input.timestamp,
    name: 'Scheduled',
    message: input.message,
    state_details: stateDetails(input.scheduledTimeText),
    data: null,
    flow_run_id: input.runId,
    result_artifact_id: null,
  };
}

export type {NewRun};
