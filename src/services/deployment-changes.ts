import type {Knex} from 'knex';

import {type RepositoryContext, type Row, withTransaction} from '../repositories/common.js';
import {type DeploymentRecord, findDeployment} from '../repositories/deployments.js';
import {
  deleteDeploymentConcurrencyLimit,
  deleteDeploymentRow,
  setDeploymentConcurrencyLimit,
  setDeploymentPaused,
  updateDeploymentColumns,
} from '../repositories/deployment-writes.js';
import {deleteScheduledRuns} from '../repositories/scheduled-runs.js';
import {inTransaction} from './batches.js';

export interface ChangeOptions {
  now: string;
  dryRun?: boolean;
}

export interface DeploymentChange {
  deletedRuns: number;
  deletedLimits: number;
  /**
   * The deployment as the change leaves it, read inside the change's transaction: a dry run
   * shows what the real run would leave, though its writes are then rolled back.
   */
  deployment: DeploymentRecord;
}

function readBack(ctx: RepositoryContext, trx: Knex.Transaction, deploymentId: string): Promise<DeploymentRecord> {
  return findDeployment(withTransaction(ctx, trx), deploymentId, Date.now());
}

/** POST …/pause_deployment: paused, then every auto-scheduled run not yet run deleted (Late ones too). */
export async function pauseDeployment(ctx: RepositoryContext, deploymentId: string, options: ChangeOptions): Promise<DeploymentChange> {
  return inTransaction(ctx.db, async (trx) => {
    await setDeploymentPaused(ctx, trx, deploymentId, true, options.now);
    const deletedRuns = await deleteScheduledRuns(ctx, trx, deploymentId, {autoScheduledOnly: true, futureOnly: false, now: options.now});
    return {deletedRuns, deletedLimits: 0, deployment: await readBack(ctx, trx, deploymentId)};
  }, {rollback: options.dryRun});
}

/** POST …/resume_deployment: only the flag (and `updated`, which the scheduler's quick loop watches). */
export async function resumeDeployment(ctx: RepositoryContext, deploymentId: string, options: ChangeOptions): Promise<DeploymentChange> {
  return inTransaction(ctx.db, async (trx) => {
    await setDeploymentPaused(ctx, trx, deploymentId, false, options.now);
    return {deletedRuns: 0, deletedLimits: 0, deployment: await readBack(ctx, trx, deploymentId)};
  }, {rollback: options.dryRun});
}

/**
 * DELETE /deployments/{id}: its Scheduled runs that never ran (manual ones too), its
 * deployment concurrency limit, then the row (schedules cascade). Other runs keep their
 * deployment_id, which no longer points anywhere, as in Prefect.
 */
export async function deleteDeployment(ctx: RepositoryContext, deploymentId: string, options: ChangeOptions): Promise<DeploymentChange> {
  return inTransaction(ctx.db, async (trx) => {
    // A delete reports the deployment as it was.
    const deployment = await readBack(ctx, trx, deploymentId);
    const deletedRuns = await deleteScheduledRuns(ctx, trx, deploymentId, {autoScheduledOnly: false, futureOnly: false, now: options.now});
    const deletedLimits = await deleteDeploymentConcurrencyLimit(ctx, trx, deploymentId);
    await deleteDeploymentRow(ctx, trx, deploymentId);
    return {deletedRuns, deletedLimits, deployment};
  }, {rollback: options.dryRun});
}

export interface DeploymentUpdate {
  /** Columns to set, as domain values (infra_overrides for job variables). */
  columns: Row;
  /** A new concurrency limit (null removes it); undefined leaves it. */
  concurrencyLimit?: number | null;
}

/**
 * PATCH /deployments/{id}: the columns, the deployment concurrency limit, then the future
 * auto-scheduled runs deleted so the scheduler makes them again from the new settings.
 */
export async function updateDeployment(ctx: RepositoryContext, deploymentId: string, update: DeploymentUpdate, options: ChangeOptions): Promise<DeploymentChange> {
  return inTransaction(ctx.db, async (trx) => {
    await updateDeploymentColumns(ctx, trx, deploymentId, update.columns, options.now);
    const deletedRuns = await deleteScheduledRuns(ctx, trx, deploymentId, {autoScheduledOnly: true, futureOnly: true, now: options.now});
    if (update.concurrencyLimit !== undefined) await setDeploymentConcurrencyLimit(ctx, trx, deploymentId, update.concurrencyLimit, options.now);
    return {deletedRuns, deletedLimits: 0, deployment: await readBack(ctx, trx, deploymentId)};
  }, {rollback: options.dryRun});
}

/** How many runs a change would delete, for the confirmation question. */
export async function countClearableRuns(ctx: RepositoryContext, deploymentId: string, rule: {autoScheduledOnly: boolean; futureOnly: boolean}, now: string): Promise<number> {
  return inTransaction(ctx.db, (trx) => deleteScheduledRuns(ctx, trx, deploymentId, {...rule, now}), {rollback: true});
}
