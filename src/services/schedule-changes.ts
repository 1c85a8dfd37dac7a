import {refusedError, usageError} from '../errors.js';
import {newUuid4} from '../db/ids.js';
import type {Knex} from 'knex';

import {type RepositoryContext, withTransaction} from '../repositories/common.js';
import {type DeploymentRecord, findDeployment} from '../repositories/deployments.js';
import {deleteScheduledRuns} from '../repositories/scheduled-runs.js';
import {deleteSchedule, insertSchedule, resolveSchedule, scheduleIdsOf, setScheduleActive, slugTaken} from '../repositories/schedule-writes.js';
import {inTransaction} from './batches.js';

export interface ChangeOptions {
  now: string;
  dryRun?: boolean;
}

/** What a schedule change did, for the command's messages. */
export interface ScheduleChange {
  scheduleIds: string[];
  deletedRuns: number;
  /**
   * The deployment read inside the change's transaction — after it for add, pause and resume,
   * before it for deletes (which report what they removed) — so a dry run shows the same.
   */
  deployment: DeploymentRecord;
}

function readBack(ctx: RepositoryContext, trx: Knex.Transaction, deploymentId: string): Promise<DeploymentRecord> {
  return findDeployment(withTransaction(ctx, trx), deploymentId, Date.now());
}

function assertScheduleTable(ctx: RepositoryContext): void {
  if (ctx.schema.hasTable('deployment_schedule')) return;
  throw refusedError('this database predates deployment schedules (Prefect 2.16): its deployments have one schedule, which prefectdb does not change');
}

export interface NewSchedule {
  schedule: Record<string, unknown>;
  active: boolean;
  slug?: string;
  parameters?: Record<string, unknown>;
}

/** POST /deployments/{id}/schedules: one new row; existing runs stay (Prefect clears none). */
export async function addSchedule(ctx: RepositoryContext, deploymentId: string, input: NewSchedule, options: ChangeOptions): Promise<ScheduleChange> {
  assertScheduleTable(ctx);
  if (input.slug !== undefined && !ctx.schema.hasColumn('deployment_schedule', 'slug')) throw refusedError('schedule slugs arrived with Prefect 3.2; this database has none');
  if (input.parameters && Object.keys(input.parameters).length > 0 && !ctx.schema.hasColumn('deployment_schedule', 'parameters')) {
    throw refusedError('schedule parameters arrived with Prefect 3.2; this database has none');
  }
  const id = newUuid4();
  return inTransaction(ctx.db, async (trx) => {
    if (input.slug !== undefined && (await slugTaken(ctx, trx, deploymentId, input.slug))) {
      throw usageError(`the deployment already has a schedule with slug "${input.slug.slice(0, 40)}": schedule slugs are unique per deployment`);
    }
    await insertSchedule(ctx, trx, {
      id,
      created: options.now,
      updated: options.now,
      deployment_id: deploymentId,
      schedule: input.schedule,
      active: input.active,
      max_scheduled_runs: null,
      parameters: input.parameters ?? {},
      slug: input.slug ?? null,
    });
    return {scheduleIds: [id], deletedRuns: 0, deployment: await readBack(ctx, trx, deploymentId)};
  }, {rollback: options.dryRun});
}

/**
 * PATCH …/schedules/{id} with {active}: the schedule switched, then the deployment's future
 * auto-scheduled runs cleared (the scheduler makes new ones from the active schedules).
 */
export async function setActive(ctx: RepositoryContext, deploymentId: string, reference: string, active: boolean, options: ChangeOptions): Promise<ScheduleChange> {
  assertScheduleTable(ctx);
  return inTransaction(ctx.db, async (trx) => {
    const id = await resolveSchedule(ctx, trx, deploymentId, reference);
    await setScheduleActive(ctx, trx, id, active, options.now);
    const deletedRuns = await deleteScheduledRuns(ctx, trx, deploymentId, {autoScheduledOnly: true, futureOnly: true, now: options.now});
    return {scheduleIds: [id], deletedRuns, deployment: await readBack(ctx, trx, deploymentId)};
  }, {rollback: options.dryRun});
}

/** DELETE …/schedules/{id}: the row, then all the deployment's auto-scheduled runs not yet run (Late ones too). */
export async function removeSchedule(ctx: RepositoryContext, deploymentId: string, reference: string, options: ChangeOptions): Promise<ScheduleChange> {
  assertScheduleTable(ctx);
  return inTransaction(ctx.db, async (trx) => {
    const id = await resolveSchedule(ctx, trx, deploymentId, reference);
    const deployment = await readBack(ctx, trx, deploymentId);
    await deleteSchedule(ctx, trx, id);
    const deletedRuns = await deleteScheduledRuns(ctx, trx, deploymentId, {autoScheduledOnly: true, futureOnly: false, now: options.now});
    return {scheduleIds: [id], deletedRuns, deployment};
  }, {rollback: options.dryRun});
}

/** `prefect deployment schedule clear`: every schedule deleted as above, in one transaction. */
export async function clearSchedules(ctx: RepositoryContext, deploymentId: string, options: ChangeOptions): Promise<ScheduleChange> {
  assertScheduleTable(ctx);
  return inTransaction(ctx.db, async (trx) => {
    const ids = await scheduleIdsOf(ctx, trx, deploymentId);
    const deployment = await readBack(ctx, trx, deploymentId);
    for (const id of ids) await deleteSchedule(ctx, trx, id);
    const deletedRuns = ids.length === 0 ? 0 : await deleteScheduledRuns(ctx, trx, deploymentId, {autoScheduledOnly: true, futureOnly: false, now: options.now});
    return {scheduleIds: ids, deletedRuns, deployment};
  }, {rollback: options.dryRun});
}
