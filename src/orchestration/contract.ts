/**
 * What a caller gives the orchestration engine and what it gets back.
 *
 * The engine is pure: the caller reads the run and its context from the database (in the
 * write transaction), calls `orchestrateFlowRun` / `orchestrateTaskRun`, then applies the
 * Decision in the same transaction: insert `write` (if any), UPDATE the run with `columns`,
 * apply every effect. Timestamps are ISO-8601 UTC strings with microseconds and Z
 * ("2026-01-02T03:04:05.123456Z"); ids are lowercase hyphenated UUIDs.
 */

export const STATE_TYPES = [
  'SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED', 'PAUSED', 'CANCELLING',
] as const;
export type StateType = (typeof STATE_TYPES)[number];

/** Prefect's StateDetails, every field, in Prefect's order. */
export interface StateDetails {
  flow_run_id: string | null;
  task_run_id: string | null;
  child_flow_run_id: string | null;
  scheduled_time: string | null;
  cache_key: string | null;
  cache_expiration: string | null;
  deferred: boolean | null;
  untrackable_result: boolean;
  pause_timeout: string | null;
  pause_reschedule: boolean;
  pause_key: string | null;
  run_input_keyset: Record<string, string> | null;
  refresh_cache: boolean | null;
  retriable: boolean | null;
  transition_id: string | null;
  task_parameters_id: string | null;
  traceparent: string | null;
  deployment_concurrency_lease_id: string | null;
}

/** A stored state (flow_run_state / task_run_state row). */
export interface RunState {
  id: string;
  type: StateType;
  name: string;
  timestamp: string;
  message: string | null;
  state_details: StateDetails;
  /**
   * For a run's current state: its effective data — the row's `data` column if set, else the
   * result artifact's `data` (as Prefect's ORM reads it). In a Decision's `write`: always null,
   * because Prefect never fills the state row's data column (data goes to a result artifact).
   */
  data: unknown;
  result_artifact_id: string | null;
}

/** A state proposed by a caller; missing fields get the server's defaults. */
export interface ProposedState {
  type: StateType;
  name?: string | null;
  timestamp?: string | null;
  message?: string | null;
  state_details?: Partial<StateDetails> | null;
  data?: unknown;
}

/** A concurrency_limit_v2 row (deployment:<id> or tag:<tag>). */
export interface ConcurrencyLimitV2Facts {
  id: string;
  name: string;
  limit: number;
  /** Current active slots (after Prefect's slot decay, if the limit decays). */
  active_slots: number;
  active: boolean;
  avg_slot_occupancy_seconds: number | null;
}

export interface DeploymentConcurrencyFacts {
  id: string;
  concurrency_limit_id: string | null;
  /** deployment.concurrency_options JSON: {collision_strategy: 'ENQUEUE'|'CANCEL_NEW', grace_period_seconds?} */
  concurrency_options: {collision_strategy?: string | null; grace_period_seconds?: number | null} | null;
  /** The concurrency_limit_v2 row concurrency_limit_id points at, or null. */
  global_concurrency_limit: ConcurrencyLimitV2Facts | null;
}

/** Run columns the global transforms maintain (same names as the database columns). */
export interface RunColumns {
  run_count: number;
  start_time: string | null;
  end_time: string | null;
  /** Seconds (float). */
  total_run_time: number;
  expected_start_time: string | null;
  next_scheduled_start_time: string | null;
  /** The run's empirical_policy JSON as stored (may be `{}` on old rows). */
  empirical_policy: Record<string, unknown>;
}

export interface FlowRunFacts extends RunColumns {
  id: string;
  flow_id: string;
  deployment_id: string | null;
  parent_task_run_id: string | null;
  infrastructure_pid: string | null;
  /** The run's current state (state_id's row), or null. */
  state: RunState | null;
  /**
   * Timestamps of every existing state row of this run (for the unique-timestamp bump). A
   * caller that changes one run twice in a transaction adds the first write's timestamp.
   */
  state_timestamps: readonly string[];
  /**
   * The run's deployment, read only when deployment_id is set; null there means the
   * deployment row does not exist (Prefect aborts a PENDING proposal then).
   */
  deployment: DeploymentConcurrencyFacts | null;
}

/** A V1 tag concurrency limit (concurrency_limit row). */
export interface ConcurrencyLimitV1Facts {
  tag: string;
  concurrency_limit: number;
  /** Task run ids holding a slot. */
  active_slots: readonly string[];
}

export interface TaskRunFacts extends RunColumns {
  id: string;
  flow_run_id: string | null;
  tags: readonly string[];
  /** task_run.flow_run_run_count. */
  flow_run_run_count: number;
  state: RunState | null;
  /** The parent flow run (null when the task has none or it no longer exists). */
  flow_run: {id: string; run_count: number; state: RunState | null} | null;
  /** concurrency_limit rows whose tag is one of the run's tags (any order: the engine orders them by tag, as Prefect reads them). */
  v1_limits: readonly ConcurrencyLimitV1Facts[];
  /** concurrency_limit_v2 rows named `tag:<tag>` for the run's tags. */
  v2_limits: readonly ConcurrencyLimitV2Facts[];
  /**
   * The newest unexpired task_run_state_cache entry's state for the PROPOSED state's
   * state_details.cache_key (cache_expiration null or > now), with its effective data; null if none.
   */
  cached_state: RunState | null;
}

export interface OrchestrationSettings {
  /** PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS */
  deployment_concurrency_slot_wait_seconds: number;
  /** PREFECT_SERVER_TASKS_TAG_CONCURRENCY_SLOT_WAIT_SECONDS */
  tag_concurrency_slot_wait_seconds: number;
  /** PREFECT_SERVER_TASKS_MAX_CACHE_KEY_LENGTH */
  max_cache_key_length: number;
  /** PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS (used by the mark-late selection). */
  late_runs_after_seconds: number;
  /** PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_CANCELLING_TIMEOUT_SECONDS */
  cancelling_timeout_seconds: number;
}

export const DEFAULT_SETTINGS: OrchestrationSettings = Object.freeze({
  deployment_concurrency_slot_wait_seconds: 30,
  tag_concurrency_slot_wait_seconds: 10,
  max_cache_key_length: 2000,
  late_runs_after_seconds: 15,
  cancelling_timeout_seconds: 300,
});

export interface OrchestrationEnv {
  /** The server clock: ISO µs Z. */
  now: string;
  /** Makes ids for new rows (states, artifacts); injected so tests are deterministic. */
  newId: () => string;
  settings?: Partial<OrchestrationSettings>;
  /**
   * Prefect draws retry jitter and tag-limit waits from a clamped Poisson interval. Given the
   * average and clamping factor it returns seconds. Default: the average (no randomness).
   */
  poissonInterval?: (averageSeconds: number, clampingFactor: number) => number;
}

/**
 * core: CoreFlowPolicy / CoreTaskPolicy (the API default).
 * minimal: MinimalFlowPolicy / MinimalTaskPolicy (Prefect's force=true).
 * mark-late: MarkLateRunsPolicy (flow runs only).
 * background-task: BackgroundTaskPolicy (task runs only).
 */
export type PolicyName = 'core' | 'minimal' | 'mark-late' | 'background-task';

export type OrchestrationStatus = 'ACCEPT' | 'REJECT' | 'WAIT' | 'ABORT';

export interface OrchestrationDetails {
  type: 'accept_details' | 'reject_details' | 'wait_details' | 'abort_details';
  reason: string | null;
  /** WAIT only. */
  delay_seconds?: number;
}

/** Column values to UPDATE on the run row (only keys present are changed; bump `updated` too). */
export interface RunColumnChanges {
  state_id?: string;
  state_type?: StateType;
  state_name?: string;
  state_timestamp?: string;
  run_count?: number;
  start_time?: string | null;
  end_time?: string | null;
  total_run_time?: number;
  expected_start_time?: string | null;
  next_scheduled_start_time?: string | null;
  /** Full normalised policy object (Prefect rewrites the whole model). */
  empirical_policy?: Record<string, unknown>;
  /** Task runs only. */
  flow_run_run_count?: number;
}

export type Effect =
  /** concurrency_limit_v2 by id: +1 (the engine checked active and room) or −1 (floor 0, active rows only). */
  | {kind: 'concurrency_limit_v2_slots'; limit_id: string; name: string; delta: 1 | -1}
  /** concurrency_limit (V1) active_slots: add or remove this task run id (a set). */
  | {kind: 'concurrency_limit_v1_slot'; tag: string; task_run_id: string; action: 'take' | 'release'}
  /** Insert an artifact before the state row (the state's result_artifact_id points at it). */
  | {
      kind: 'create_result_artifact';
      artifact: {
        id: string;
        key: string | null;
        type: string | null;
        description: string | null;
        data: unknown;
        metadata_: null;
        flow_run_id: string | null;
        task_run_id: string | null;
      };
    }
  /** Insert a task_run_state_cache row (after the state row). */
  | {kind: 'cache_insertion'; cache_key: string; cache_expiration: string | null; task_run_state_id: string}
  /**
   * Force this state onto the subflow's parent task run: read that task run's facts and call
   * orchestrateTaskRun(facts, state, 'minimal', env) — Prefect's set_task_run_state(force=True).
   */
  | {kind: 'update_subflow_parent_task'; task_run_id: string; state: ProposedState};

export interface Decision {
  /** ABORT also stands for a rule error, after which (as in Prefect's rolled-back request) nothing changes. */
  status: OrchestrationStatus;
  details: OrchestrationDetails;
  /** The state row to insert (id, all columns), or null when nothing is written. */
  write: RunState | null;
  /** The state to report: the written state with its data, or the run's current state. */
  state: RunState | null;
  /** The run's column changes (may be non-empty even when nothing is written). */
  columns: RunColumnChanges;
  /** Side effects to apply in the same transaction, in order. */
  effects: Effect[];
}
