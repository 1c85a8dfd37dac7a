import {releaseAtLeast} from '../db/release.js';
import {notFoundError, usageError} from '../errors.js';
import {newUuid4, newUuid7} from '../db/ids.js';
import {runNamer} from '../runs/run-names.js';
import {type RepositoryContext, withTransaction} from '../repositories/common.js';
import type {DeploymentRecord} from '../repositories/deployments.js';
import {poolNameOfQueue, workQueueIdIn} from '../repositories/deployment-writes.js';
import {insertRunWithState, readRunSource} from '../repositories/scheduled-runs.js';
import {withForcedScheduledState} from '../runs/initial-state.js';
import {defaultEmpiricalPolicy, runLabels} from '../runs/new-run-rows.js';
import {validateParameters} from '../runs/parameter-schema.js';
import {inTransaction} from './batches.js';
import {type FlowRunDetail, type FlowRunTableExtras, readFlowRunDetail, readFlowRunTableExtras} from './flow-run-details.js';

/** The new run as `flow-run inspect` shows it, read inside the transaction (so a dry run shows it too). */
export interface ManualRun {
  detail: FlowRunDetail;
  extras: FlowRunTableExtras;
}

export interface ManualRunRequest {
  /** Overrides merged over the deployment's parameters. */
  parameters: Record<string, unknown>;
  jobVariables: Record<string, unknown>;
  tags: string[];
  name?: string;
  /** When the run should start (ISO µs Z); now when not given. */
  scheduledTime?: string;
  workQueueName?: string;
  now: string;
  dryRun?: boolean;
}

/**
 * POST /deployments/{id}/create_flow_run: parameters merged over the deployment's and
 * checked against its schema when it enforces one, tags the union of the deployment's and
 * the request's, labels from the deployment, an optional queue of the deployment's pool,
 * then the run inserted and its Scheduled state forced through the engine.
 */
export async function createManualRun(ctx: RepositoryContext, deployment: DeploymentRecord, request: ManualRunRequest): Promise<ManualRun> {
  const source = await readRunSource(ctx, ctx.db.knex, deployment.id);
  const parameters = {...source.parameters, ...request.parameters};
  if (deployment.enforce_parameter_schema) validateParameters(parameters, deployment.parameter_openapi_schema);
  let workQueueName = source.work_queue_name;
  let workQueueId = source.work_queue_id;
  if (request.workQueueName !== undefined) {
    const pool = await poolNameOfQueue(ctx.db.knex, source.work_queue_id);
    if (!pool) throw usageError(`the deployment is not in a work pool, so --work-queue cannot pick one of its queues`);
    workQueueId = await workQueueIdIn(ctx, ctx.db.knex, pool, request.workQueueName);
    workQueueName = request.workQueueName;
  }
  const nowMillis = Date.parse(request.now);
  const newId = releaseAtLeast(ctx.schema, '3.4.0') ? () => newUuid7(nowMillis) : newUuid4;
  const id = newId();
  const run = {
    id,
    created: request.now,
    updated: request.now,
    name: request.name ?? runNamer()(),
    run_count: 0,
    start_time: null,
    end_time: null,
    total_run_time: 0,
    flow_version: null,
    parameters,
    idempotency_key: null,
    context: {},
    empirical_policy: defaultEmpiricalPolicy(),
    tags: [...new Set([...source.tags, ...request.tags])],
    auto_scheduled: false,
    flow_id: source.flow_id,
    deployment_id: source.id,
    parent_task_run_id: null,
    infrastructure_document_id: source.infrastructure_document_id,
    work_queue_name: workQueueName,
    created_by: null,
    infrastructure_pid: null,
    work_queue_id: workQueueId,
    job_variables: request.jobVariables,
    deployment_version: source.version,
    labels: runLabels(source),
  };
  const limit = deployment.global_concurrency_limit;
  const newRun = withForcedScheduledState(
    run,
    {
      deployment: {
        id: deployment.id,
        concurrency_limit_id: limit?.id ?? null,
        concurrency_options: (deployment.concurrency_options as {collision_strategy?: string | null} | null) ?? null,
        global_concurrency_limit: limit
          ? {id: limit.id, name: limit.name, limit: limit.limit, active_slots: limit.active_slots, active: limit.active, avg_slot_occupancy_seconds: null}
          : null,
      },
    },
    request.scheduledTime ?? request.now,
    {now: request.now, newId},
  );
  return inTransaction(ctx.db, async (trx) => {
    if (!(await trx('deployment').where('id', ctx.db.codec.encodeUuid(deployment.id)).first('id'))) throw notFoundError('the deployment was deleted meanwhile');
    await insertRunWithState(ctx, trx, newRun);
    const tx = withTransaction(ctx, trx);
    const detail = await readFlowRunDetail(tx, id);
    return {detail, extras: await readFlowRunTableExtras(tx, detail)};
  }, {rollback: request.dryRun});
}
