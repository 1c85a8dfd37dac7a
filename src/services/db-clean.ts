import type {Knex} from 'knex';

import {danglingCollections, type GoneArtifacts, rememberGone, repairCollections} from '../repositories/artifact-collections.js';
import type {RepositoryContext} from '../repositories/common.js';
import {deleteOrphans, hasOrphanTable, ORPHAN_TABLES, type OrphanTable, orphanScheduledRunIds, orphanWindow} from '../repositories/orphans.js';
import {
  countExpiredRuns,
  deleteByIds,
  EVENT_TABLES,
  expiredRunPage,
  oldEventPage,
  type RetentionRule,
  storageSizes,
  vacuum,
} from '../repositories/retention.js';
import {RUN_DELETION_TABLES} from '../repositories/run-deletion.js';
import {readRunSamples, type RunSample} from '../repositories/run-samples.js';
import type {RowArchive} from './archive.js';
import {type BatchReport, type BatchSource, keysetSource, runInBatches} from './batches.js';
import {position, type ProgressListener} from './progress.js';
import {deleteBatch, sharingTheLock} from './run-deletion.js';

/**
 * `db clean`: retention as Prefect's db_vacuum service does it (old top-level terminal flow
 * runs), with everything `flow-run delete` removes, then the orphans Prefect leaves behind,
 * optionally old events; every step in bounded, resumable batches, rows archived before they
 * go, VACUUM at the end.
 */
export interface CleanOptions {
  rule: RetentionRule;
  /** Also Scheduled runs of deployments that no longer exist. */
  orphanScheduledRuns: boolean;
  /** Encoded cutoff for events and event_resources; undefined leaves them alone. */
  eventsBefore?: string;
  archive?: RowArchive;
  vacuum: boolean;
  dryRun: boolean;
  /** Hears each step ("step 3 of 9: orphans in log") and, for the expired runs, runs done of `expiredRuns`. */
  onProgress?: ProgressListener;
  /** How many runs are past retention (the confirmation counted them), for the progress total. */
  expiredRuns?: number;
}

export interface CleanReport {
  dry_run: boolean;
  deleted: Record<string, number>;
  archived: Record<string, number>;
  sizes: {before: Record<string, number>; after: Record<string, number>} | null;
  /** Not part of the JSON contract: reported on stderr. */
  repointedCollections: number;
  longestBatchMs: number;
}

// Rows of an orphan scan per transaction: one window of ids in key order.
const ORPHAN_WINDOW = 5000;

export async function expiredRunCount(ctx: RepositoryContext, rule: RetentionRule): Promise<number> {
  return countExpiredRuns(ctx.db.knex, rule);
}

/** The first expired runs, oldest end time first, for the confirmation to name. */
export async function expiredRunSample(ctx: RepositoryContext, rule: RetentionRule, size: number): Promise<RunSample[]> {
  const page = await expiredRunPage(ctx, ctx.db.knex, rule, undefined, size);
  return readRunSamples(ctx, 'flow_run', page.map((run) => run.id));
}

export async function cleanDatabase(ctx: RepositoryContext, options: CleanOptions): Promise<CleanReport> {
  const report: CleanReport = {dry_run: options.dryRun, deleted: {}, archived: {}, sizes: null, repointedCollections: 0, longestBatchMs: 0};
  const add = (table: string, n: number) => {
    report.deleted[table] = (report.deleted[table] ?? 0) + n;
  };
  for (const table of RUN_DELETION_TABLES) add(table, 0);
  const touched = [...RUN_DELETION_TABLES, ...(options.eventsBefore ? EVENT_TABLES : [])];
  const sizesBefore = options.vacuum ? await storageSizes(ctx, touched) : undefined;
  const archive = options.dryRun ? undefined : options.archive;
  const goneInDryRun: GoneArtifacts | undefined = options.dryRun ? new Map() : undefined;
  // Collections a rolled-back dry-run batch repaired still dangle afterwards: not to be counted twice.
  const repairedInDryRun = new Set<string>();

  const steps = cleanSteps(ctx, options);
  const stepLabel = (name: string) => `step ${position(steps.indexOf(name) + 1, steps.length)}: ${name}`;
  const listener = options.onProgress;
  const batches = async <T>(
    step: {name: string; unit: string; total?: number},
    source: BatchSource<T>,
    apply: (trx: Knex.Transaction, items: T[]) => Promise<void>,
    window = false,
  ) => {
    const lockSharing = sharingTheLock(ctx);
    const result: BatchReport = await runInBatches({
      db: ctx.db,
      source,
      dryRun: options.dryRun,
      progress: listener && {listener, label: stepLabel(step.name), total: step.total, unit: step.unit},
      ...lockSharing,
      // An orphan window holds the lock for milliseconds: a short gap lets a waiting writer in.
      ...(window ? {batchSize: 1, minBatchSize: 1, pauseBetweenBatchesMs: lockSharing.pauseBetweenBatchesMs ? 20 : undefined} : {}),
      apply: async (trx, items) => {
        archive?.discard();
        await apply(trx, items);
        archive?.flush();
      },
    });
    report.longestBatchMs = Math.max(report.longestBatchMs, result.longestBatchMs);
  };
  const deleteRunBatch = async (trx: Knex.Transaction, ids: string[]) => {
    for (const run of await deleteBatch(ctx, trx, ids, {kind: 'flow_run', keepSubflows: false, archive: archive?.add, goneInDryRun})) {
      for (const [table, n] of Object.entries(run.deleted)) add(table, n);
      report.repointedCollections += run.updated.artifact_collection;
    }
  };

  // 1. Runs past retention, with subflows at any depth and everything under them.
  await batches({name: STEP.expired, unit: 'runs', total: options.expiredRuns}, expiredRunSource(ctx, options.rule), (trx, runs) => deleteRunBatch(trx, runs.map((run) => run.id)));
  // 2. Scheduled runs that no deployment will ever pick up.
  if (options.orphanScheduledRuns) {
    await batches({name: STEP.orphanRuns, unit: 'runs'}, keysetSource((trx, after, size) => orphanScheduledRunIds(trx, after, size), (id) => id), deleteRunBatch);
  }
  // 3. Orphans, one window of each table per transaction; artifact collections repaired as artifacts go.
  for (const table of ORPHAN_TABLES) {
    if (!hasOrphanTable(ctx, table)) continue;
    await batches({name: `${STEP.orphans} ${table}`, unit: `windows of ids`}, orphanWindows(table), async (trx, [window]) => {
      const keyed = table === 'artifact' ? await keyedArtifacts(trx, window) : [];
      add(table, await deleteOrphans(trx, table, window, archive?.add));
      rememberGone(goneInDryRun, keyed);
      if (keyed.length === 0) return;
      const keys = [...new Set(keyed.map((a) => a.key))];
      await repairAndCount(ctx, trx, keys, report, archive, goneInDryRun);
      if (options.dryRun) for (const key of keys) repairedInDryRun.add(key);
    }, true);
  }
  // 4. Collections already left pointing at no artifact.
  await batches({name: STEP.collections, unit: 'collections'}, keysetSource(async (trx, after, size) => (await danglingCollections(trx, undefined, size, after)).map((c) => c.key), (key) => key), async (trx, keys) => {
    await repairAndCount(ctx, trx, keys.filter((key) => !repairedInDryRun.has(key)), report, archive, goneInDryRun);
  });
  // 5. Events past their retention: resources first (no foreign key ties them to their event).
  if (options.eventsBefore !== undefined) {
    for (const table of EVENT_TABLES) {
      if (!ctx.schema.hasTable(table)) continue;
      add(table, 0);
      const before = options.eventsBefore;
      await batches({name: `${STEP.events} ${table}`, unit: 'rows'}, pagedSource((trx, after: {id: string; occurred: string} | undefined, size) => oldEventPage(trx, table, before, after, size)), async (trx, rows) => {
        add(table, await deleteByIds(trx, table, rows.map((row) => row.id), archive?.add));
      });
    }
  }
  if (options.vacuum && !options.dryRun) {
    listener?.({label: stepLabel(STEP.vacuum)});
    await vacuum(ctx, touched);
  }
  if (sizesBefore) report.sizes = {before: sizesBefore, after: await storageSizes(ctx, touched)};
  report.archived = archive ? {...archive.counts} : {};
  return report;
}

const STEP = {
  expired: 'deleting flow runs past retention',
  orphanRuns: 'deleting scheduled runs of deleted deployments',
  orphans: 'orphans in',
  collections: 'artifact collections naming no artifact',
  events: 'old rows of',
  vacuum: 'VACUUM',
} as const;

/** The steps this clean will take, in order, so progress can say "step k of n". */
function cleanSteps(ctx: RepositoryContext, options: CleanOptions): string[] {
  return [
    STEP.expired,
    ...(options.orphanScheduledRuns ? [STEP.orphanRuns] : []),
    ...ORPHAN_TABLES.filter((table) => hasOrphanTable(ctx, table)).map((table) => `${STEP.orphans} ${table}`),
    STEP.collections,
    ...(options.eventsBefore === undefined ? [] : EVENT_TABLES.filter((table) => ctx.schema.hasTable(table)).map((table) => `${STEP.events} ${table}`)),
    ...(options.vacuum && !options.dryRun ? [STEP.vacuum] : []),
  ];
}

async function repairAndCount(ctx: RepositoryContext, trx: Knex.Transaction, keys: string[], report: CleanReport, archive: RowArchive | undefined, goneInDryRun: GoneArtifacts | undefined): Promise<void> {
  for (const change of await repairCollections(ctx, trx, keys, new Date().toISOString(), {archive: archive?.add, goneInDryRun})) {
    if (change.action === 'removed') report.deleted.artifact_collection = (report.deleted.artifact_collection ?? 0) + 1;
    else report.repointedCollections += 1;
  }
}

async function keyedArtifacts(trx: Knex.Transaction, ids: string[]): Promise<Array<{id: string; key: string}>> {
  if (ids.length === 0) return [];
  const rows: Array<{id: string; key: string}> = await trx('artifact').whereIn('id', ids).whereNotNull('key').select('id', 'key');
  return rows.map((r) => ({id: String(r.id).toLowerCase(), key: r.key}));
}

/** Pages in a compound key order: each page starts after the last row of the previous one. */
function pagedSource<T>(page: (trx: Knex.Transaction, after: T | undefined, size: number) => Promise<T[]>): BatchSource<T> {
  let after: T | undefined;
  let exhausted = false;
  return {
    async next(trx, size) {
      if (exhausted) return [];
      const rows = await page(trx, after, size);
      if (rows.length < size) exhausted = true;
      if (rows.length > 0) after = rows[rows.length - 1];
      return rows;
    },
  };
}

function expiredRunSource(ctx: RepositoryContext, rule: RetentionRule): BatchSource<{id: string; endTime: string}> {
  return pagedSource((trx, after, size) => expiredRunPage(ctx, trx, rule, after, size));
}

/** One window of ids of `table` per call, with the orphans found in it (possibly none). */
function orphanWindows(table: OrphanTable): BatchSource<string[]> {
  let after: string | undefined;
  let exhausted = false;
  return {
    async next(trx) {
      if (exhausted) return [];
      const window = await orphanWindow(trx, table, after, ORPHAN_WINDOW);
      if (window.last === undefined) exhausted = true;
      after = window.last;
      return [window.orphans];
    },
  };
}
