import {pydanticUtcText} from '../db/codecs/instant.js';
import {isLosslessNumber} from '../db/codecs/json-text.js';
import type {Row} from '../repositories/common.js';
import type {NewRun} from '../repositories/scheduled-runs.js';
import {orchestrateFlowRun, type FlowRunFacts, type OrchestrationEnv} from '../orchestration/index.js';
import {storedPolicy} from './new-run-rows.js';

/**
 * A new flow run's first state, forced through the orchestration engine as Prefect's
 * create_flow_run does (set_flow_run_state with force=True: the minimal policy and the
 * global bookkeeping). `run` holds the run's own columns; the engine adds the state row
 * and the columns it maintains (state_*, expected/next scheduled start, …).
 */
export function withForcedScheduledState(run: Row, facts: Pick<FlowRunFacts, 'deployment'>, scheduledTime: string, env: OrchestrationEnv): NewRun {
  const decision = orchestrateFlowRun(
    {
      id: run.id as string,
      flow_id: run.flow_id as string,
      deployment_id: (run.deployment_id as string | null) ?? null,
      parent_task_run_id: null,
      infrastructure_pid: null,
      run_count: 0,
      start_time: null,
      end_time: null,
      total_run_time: 0,
      expected_start_time: null,
      next_scheduled_start_time: null,
      empirical_policy: plainPolicy(run.empirical_policy as Record<string, unknown>),
      state: null,
      state_timestamps: [],
      deployment: facts.deployment,
    },
    {type: 'SCHEDULED', state_details: {scheduled_time: scheduledTime}},
    'minimal',
    env,
  );
  if (!decision.write || decision.effects.length > 0) {
    throw new Error(`the engine did not accept the initial Scheduled state (${decision.status}: ${decision.details.reason ?? 'no reason'})`);
  }
  const {write} = decision;
  const {state_id: _stateId, ...columns} = decision.columns;
  return {
    run: {...run, ...columns, empirical_policy: storedPolicy(columns.empirical_policy ?? (run.empirical_policy as Row))},
    state: {
      id: write.id,
      created: env.now,
      updated: env.now,
      type: write.type,
      timestamp: write.timestamp,
      name: write.name,
      message: write.message,
      // Pydantic's form inside JSON; the engine speaks the contract's ISO µs Z.
      state_details: {...write.state_details, scheduled_time: write.state_details.scheduled_time && pydanticUtcText(write.state_details.scheduled_time)},
      data: null,
      flow_run_id: run.id,
      result_artifact_id: write.result_artifact_id,
    },
  };
}

/** The engine works on plain JSON values. */
function plainPolicy(policy: Record<string, unknown>): Record<string, unknown> {
  const delay = policy.retry_delay_seconds;
  return isLosslessNumber(delay) ? {...policy, retry_delay_seconds: Number(delay.value)} : policy;
}
