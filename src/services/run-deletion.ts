import type {Knex} from 'knex';

import {type GoneArtifacts, rememberGone, repairCollections} from '../repositories/artifact-collections.js';
import type {RepositoryContext} from '../repositories/common.js';
import {
  type ArchiveSink,
  archiveRowsUnder,
  artifactsUnder,
  countRowsUnder,
  deleteCacheRowsOfTasks,
  deleteWhereIn,
  detachSubflows,
  existingTaskRuns,
  flowRunsReached,
  releaseSlots,
  RUN_DELETION_TABLES,
  type RunDeletionTable,
  slotHoldingRuns,
} from '../repositories/run-deletion.js';
import {type BatchReport, type BatchSource, runInBatches} from './batches.js';
import type {ProgressListener} from './progress.js';

/**
 * Deleting flow runs or task runs the way Prefect's DELETE does — a deployment slot given back
 * for every Pending, Running or Cancelling run, then the row with its foreign-key cascades
 * (states, task runs and their states, flow_run_input) — and, beyond Prefect, what it leaves
 * behind: logs, artifacts (their collections repaired), task_run_state_cache rows, and by
 * default the subflow runs, at any depth. Work goes batch by batch through runInBatches.
 */

export type RunKind = 'flow_run' | 'task_run';

export interface RunDeletionOptions {
  kind: RunKind;
  /** Prefect's own behaviour: subflows of deleted runs stay, as top-level runs. */
  keepSubflows: boolean;
  dryRun: boolean;
  limit?: number;
  batchSize?: number;
  /** Hears runs done against `total` under `label`. */
  progress?: {label: string; total?: number; listener?: ProgressListener};
}

export interface RunDeletionResult {
  id: string;
  deleted: Record<RunDeletionTable, number>;
  /** Rows changed rather than deleted: repointed collections, detached subflows, released limits. */
  updated: {artifact_collection: number; flow_run: number; concurrency_limit_v2: number};
}

export interface RunDeletionReport {
  runs: RunDeletionResult[];
  batches: BatchReport;
}

export async function deleteRuns(ctx: RepositoryContext, source: BatchSource<string>, options: RunDeletionOptions): Promise<RunDeletionReport> {
  const runs: RunDeletionResult[] = [];
  const goneInDryRun = options.dryRun ? new Map() : undefined;
  const batches = await runInBatches({
    db: ctx.db,
    source,
    dryRun: options.dryRun,
    limit: options.limit,
    progress: options.progress?.listener && {...options.progress, listener: options.progress.listener, unit: 'runs'},
    ...sharingTheLock(ctx),
    ...(options.batchSize ? {batchSize: options.batchSize} : {}),
    apply: async (trx, ids) => {
      runs.push(...(await deleteBatch(ctx, trx, ids, {...options, goneInDryRun})));
    },
  });
  return {runs, batches};
}

/**
 * On SQLite a live Prefect server may be writing to the same file: a batch holds the lock at
 * most 400 ms (lock-pacing.ts), and the lock is left free for 100 ms (a waiting writer's longest poll
 * interval) before the next one. PostgreSQL locks rows, not the database: no pause.
 */
export function sharingTheLock(ctx: RepositoryContext): {batchSize?: number; targetBatchMs?: number; pauseBetweenBatchesMs?: number} {
  return ctx.db.dialect === 'sqlite' ? {targetBatchMs: 400, pauseBetweenBatchesMs: 100} : {};
}

/** Deletes one batch of requested runs inside its transaction; returns what went, per requested run. */
export async function deleteBatch(
  ctx: RepositoryContext,
  trx: Knex.Transaction,
  ids: readonly string[],
  options: Pick<RunDeletionOptions, 'kind' | 'keepSubflows'> & {archive?: ArchiveSink; goneInDryRun?: GoneArtifacts},
): Promise<RunDeletionResult[]> {
  const now = new Date().toISOString();
  const recursive = !options.keepSubflows;
  const taskRoots = options.kind === 'task_run' ? await existingTaskRuns(trx, ids) : [];
  const reached = await flowRunsReached(trx, options.kind, options.kind === 'flow_run' ? ids : taskRoots, recursive);
  const ownerOf = new Map(reached.map((run) => [run.id, run.root]));
  const flowRunIds = reached.map((run) => run.id);

  const roots = options.kind === 'flow_run' ? reached.filter((run) => run.root === run.id).map((run) => run.id) : taskRoots;
  const results = new Map(roots.map((id) => [id, emptyResult(id)]));
  const credit = (root: string | undefined, bump: (result: RunDeletionResult) => void) => {
    const result = root === undefined ? undefined : results.get(root);
    if (result) bump(result);
  };

  for (const run of reached) credit(run.root, (r) => (r.deleted.flow_run += 1));
  for (const id of taskRoots) credit(id, (r) => (r.deleted.task_run += 1));
  for (const [table, counts] of await countRowsUnder(ctx, trx, flowRunIds, taskRoots)) {
    for (const [flowRunId, n] of counts.byFlowRun) credit(ownerOf.get(flowRunId), (r) => (r.deleted[table] += n));
    for (const [taskRunId, n] of counts.byTaskRun) credit(taskRunId, (r) => (r.deleted[table] += n));
  }

  if (options.archive) await archiveRowsUnder(ctx, trx, flowRunIds, taskRoots, options.archive);

  // Slots first, while the runs' states still say which runs hold one.
  const holders = await slotHoldingRuns(ctx, trx, flowRunIds);
  const slotsPerLimit = new Map<string, string[]>();
  for (const holder of holders) slotsPerLimit.set(holder.limitId, [...(slotsPerLimit.get(holder.limitId) ?? []), holder.id]);
  for (const [limitId, runIds] of slotsPerLimit) {
    if (!(await releaseSlots(ctx, trx, limitId, runIds.length, now))) continue;
    for (const root of new Set(runIds.map((id) => ownerOf.get(id)))) credit(root, (r) => (r.updated.concurrency_limit_v2 += 1));
  }

  await deleteCacheRowsOfTasks(ctx, trx, 'flow_run_id', flowRunIds);
  await deleteCacheRowsOfTasks(ctx, trx, 'id', taskRoots);

  const artifacts = [...(await artifactsUnder(trx, 'flow_run_id', flowRunIds)), ...(await artifactsUnder(trx, 'task_run_id', taskRoots))];
  const artifactOwner = new Map(artifacts.map((a) => [a.id, options.kind === 'flow_run' || ownerOf.has(a.owner) ? ownerOf.get(a.owner) : a.owner]));
  await deleteWhereIn(trx, 'artifact', 'flow_run_id', flowRunIds);
  await deleteWhereIn(trx, 'artifact', 'task_run_id', taskRoots);
  const keys = artifacts.map((a) => a.key).filter((key): key is string => key !== null);
  rememberGone(options.goneInDryRun, artifacts);
  for (const change of await repairCollections(ctx, trx, keys, now, {archive: options.archive, goneInDryRun: options.goneInDryRun})) {
    credit(artifactOwner.get(change.previousLatestId), (r) => {
      if (change.action === 'removed') r.deleted.artifact_collection += 1;
      else r.updated.artifact_collection += 1;
    });
  }

  await deleteWhereIn(trx, 'log', 'flow_run_id', flowRunIds);
  await deleteWhereIn(trx, 'log', 'task_run_id', taskRoots);

  if (options.keepSubflows) {
    for (const [flowRunId, n] of await detachSubflows(ctx, trx, 'flow_run_id', flowRunIds, now)) credit(ownerOf.get(flowRunId), (r) => (r.updated.flow_run += n));
    for (const [taskRunId, n] of await detachSubflows(ctx, trx, 'id', taskRoots, now)) credit(taskRunId, (r) => (r.updated.flow_run += n));
  }

  // The foreign keys cascade to states, task runs (and their states) and flow_run_input.
  await deleteWhereIn(trx, 'flow_run', 'id', flowRunIds);
  await deleteWhereIn(trx, 'task_run', 'id', taskRoots);
  return [...results.values()];
}

function emptyResult(id: string): RunDeletionResult {
  const deleted = Object.fromEntries(RUN_DELETION_TABLES.map((table) => [table, 0])) as Record<RunDeletionTable, number>;
  return {id, deleted, updated: {artifact_collection: 0, flow_run: 0, concurrency_limit_v2: 0}};
}

/** Sums per-run results into totals per table. */
export function totalsOf(results: readonly RunDeletionResult[]): RunDeletionResult['deleted'] & {updated: RunDeletionResult['updated']} {
  const total = emptyResult('');
  for (const result of results) {
    for (const table of RUN_DELETION_TABLES) total.deleted[table] += result.deleted[table];
    for (const key of Object.keys(total.updated) as Array<keyof RunDeletionResult['updated']>) total.updated[key] += result.updated[key];
  }
  return {...total.deleted, updated: total.updated};
}
