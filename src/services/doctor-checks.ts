import type {Knex} from 'knex';

import {nowIso} from '../db/codecs/instant.js';
import type {RepositoryContext} from '../repositories/common.js';
import {
  countIds,
  danglingCollections,
  type IdQueryDef,
  idPage,
  lateRuns,
  orphanArtifacts,
  orphanCacheRows,
  orphanLogs,
  orphanScheduledRuns,
  sampleIds,
  scheduledRunsSharingATime,
  strandedTaskRuns,
  stuckCancelling,
  wrongStatePointers,
  zombieRuns,
} from '../repositories/health-checks.js';
import {disagreements, forEachRunWithHistory, runsWithHistory, writeDerivedColumns, type RunKind} from '../repositories/health-history.js';
import {danglingCollections as danglingCollectionRows, repairCollections} from '../repositories/artifact-collections.js';
import {deleteByIds} from '../repositories/health-repairs.js';
import {leakedDeploymentSlots, leakedTagSlots, leasedLimitSlots, setLimitActiveSlots, setTagLimitSlots} from '../repositories/health-slots.js';
import {keysetSource, listSource, runInBatches} from './batches.js';
import {markLateProposal} from './mark-late.js';
import {deleteBatch} from './run-deletion.js';
import {type BatchRequest, orchestrateBatch, type Proposal} from './state-change.js';

/**
 * The row checks of `db doctor`: what each finds, and how `--fix` repairs it in batches
 * (services/batches.ts: one short transaction each, re-selecting what is still wrong).
 */

export interface Detection {
  count: number;
  sample_ids: string[];
  detail?: unknown;
}

export interface DoctorContext {
  ctx: RepositoryContext;
  /** ISO instants: the --stale cutoff, and Prefect's fixed thresholds. */
  staleCutoff: string;
  cancellingCutoff: string;
  lateCutoff: string;
  dryRun: boolean;
  /** SQLite's integrity_check instead of quick_check: indexes looked up against their tables too. */
  fullIntegrity: boolean;
  /** Where the SQLite file is (storage check). */
  filename?: string;
  /** Aborted when the doctor gives up (a check failed): work still running beside stops. */
  signal?: AbortSignal;
}

export interface Check {
  name: string;
  /** The command that repairs what the check finds. */
  fix: string;
  detect(doctor: DoctorContext): Promise<Detection>;
  /**
   * Whether detection starts first and runs beside the other checks: its work keeps another
   * processor busy than theirs (a thread of its own; or, on PostgreSQL, this process deriving
   * while the server answers the other checks' queries).
   */
  runsBeside?(ctx: RepositoryContext): boolean;
  /** Repairs and returns how many rows it changed (or would, on a dry run). */
  repair?(doctor: DoctorContext): Promise<number>;
}

const FIX = 'prefectdb db doctor --fix';

/**
 * Whether a whole-table check can run beside the others: on PostgreSQL its work is the
 * server's; on SQLite it counts in a thread of its own, which needs the file itself (not an
 * in-memory snapshot of it).
 */
export const canRunBeside = (ctx: RepositoryContext): boolean => ctx.db.dialect === 'postgres' || ctx.db.sqliteFile !== undefined;

async function detectIds(ctx: RepositoryContext, defs: IdQueryDef[], beside?: {signal?: AbortSignal}): Promise<Detection> {
  let count = 0;
  const samples: string[] = [];
  for (const def of defs) {
    const found = await countIds(ctx, def, beside);
    count += found;
    // A whole-table check costs as much again to sample as to count: not when there is nothing.
    if (found > 0 && samples.length < 5) samples.push(...(await sampleIds(ctx, def, 5 - samples.length)));
  }
  return {count, sample_ids: samples};
}

/** A fix that walks the check's own selection page by page and changes each page. */
async function repairSelection(doctor: DoctorContext, def: IdQueryDef, apply: (ctx: RepositoryContext, trx: Knex.Transaction, ids: string[]) => Promise<void>): Promise<number> {
  const {ctx} = doctor;
  const report = await runInBatches<string>({
    db: ctx.db,
    dryRun: doctor.dryRun,
    source: keysetSource((trx, after, size) => idPage(ctx, def, trx, after, size), (id) => id),
    apply: (trx, ids) => apply(inTransaction(ctx, trx), trx, ids),
  });
  return report.items;
}

async function repairList(doctor: DoctorContext, ids: string[], apply: (ctx: RepositoryContext, trx: Knex.Transaction, ids: string[]) => Promise<void>): Promise<number> {
  const {ctx} = doctor;
  const report = await runInBatches<string>({db: ctx.db, dryRun: doctor.dryRun, source: listSource(ids), apply: (trx, batch) => apply(inTransaction(ctx, trx), trx, batch)});
  return report.items;
}

function inTransaction(ctx: RepositoryContext, trx: Knex.Transaction): RepositoryContext {
  return {...ctx, db: {...ctx.db, knex: trx}};
}

/**
 * A fix that proposes a state to each selected run through the orchestration engine, batch
 * by batch, as Prefect's server would take it (services/state-change.ts).
 */
function repairThroughEngine<K extends RunKind>(doctor: DoctorContext, kind: K, def: IdQueryDef, propose: BatchRequest<K>['propose']): Promise<number> {
  return repairSelection(doctor, def, async (ctx, trx, ids) => {
    await orchestrateBatch<K>({ctx, kind, propose}, trx, ids);
  });
}

// Prefect's own clean-ups force these states (set_*_run_state with force=True): the minimal policy.
const crashed = (message: string): Proposal => ({proposed: {type: 'CRASHED', message}, policy: 'minimal'});

export const zombieRunsCheck: Check = {
  name: 'zombie-runs',
  fix: `${FIX} (sets them Crashed through the engine)`,
  detect: ({ctx, staleCutoff}) => detectIds(ctx, [zombieRuns(ctx, staleCutoff)]),
  repair: (doctor) =>
    repairThroughEngine(doctor, 'flow_run', zombieRuns(doctor.ctx, doctor.staleCutoff), () =>
      crashed('Flow run showed no heartbeat or log for too long: set Crashed by prefectdb db doctor.')),
};

export const strandedTaskRunsCheck: Check = {
  name: 'stranded-task-runs',
  fix: `${FIX} (sets them Crashed through the engine, releasing their tag slots)`,
  detect: ({ctx}) => detectIds(ctx, [strandedTaskRuns()]),
  repair: (doctor) => repairThroughEngine(doctor, 'task_run', strandedTaskRuns(), () => crashed('Its flow run had finished: set Crashed by prefectdb db doctor.')),
};

export const stuckCancellingCheck: Check = {
  name: 'stuck-cancelling',
  fix: `${FIX} (sets them Cancelled through the engine, as Prefect's cancellation clean-up does)`,
  detect: ({ctx, cancellingCutoff}) => detectIds(ctx, [stuckCancelling(ctx, cancellingCutoff)]),
  repair: (doctor) =>
    repairThroughEngine(doctor, 'flow_run', stuckCancelling(doctor.ctx, doctor.cancellingCutoff), (): Proposal => ({proposed: {type: 'CANCELLED'}, policy: 'minimal'})),
};

export const lateRunsCheck: Check = {
  name: 'late-runs',
  fix: `${FIX} or prefectdb flow-run mark-late (marks them Late as Prefect's late-runs service does); cancel them with prefectdb flow-run cancel`,
  detect: ({ctx, lateCutoff}) => detectIds(ctx, [lateRuns(ctx, lateCutoff)]),
  repair: (doctor) => repairThroughEngine(doctor, 'flow_run', lateRuns(doctor.ctx, doctor.lateCutoff), markLateProposal),
};

export const leakedTagSlotsCheck: Check = {
  name: 'leaked-tag-slots',
  fix: `${FIX} (releases slots held by task runs that are not Running)`,
  async detect({ctx}) {
    const leaks = await leakedTagSlots(ctx, ctx.db.knex);
    return {count: leaks.length, sample_ids: leaks.slice(0, 5).map((l) => l.id), detail: Object.fromEntries(leaks.map((l) => [l.tag, l.leaked.length]))};
  },
  async repair(doctor) {
    const leaks = await leakedTagSlots(doctor.ctx, doctor.ctx.db.knex);
    return repairList(doctor, leaks.map((l) => l.id), async (ctx, trx, ids) => {
      const now = nowIso();
      for (const leak of await leakedTagSlots(ctx, trx, ids)) await setTagLimitSlots(ctx, trx, leak.id, leak.kept, now);
    });
  },
};

export const leakedLimitSlotsCheck: Check = {
  name: 'leaked-limit-slots',
  fix: `${FIX} (sets each deployment limit's active slots to its Pending, Running and Cancelling runs)`,
  async detect({ctx}) {
    const leaks = await leakedDeploymentSlots(ctx, ctx.db.knex);
    const leased = await leasedLimitSlots(ctx);
    return {
      count: leaks.length,
      sample_ids: leaks.slice(0, 5).map((l) => l.id),
      detail: {deployment_limits: Object.fromEntries(leaks.map((l) => [l.name, {active_slots: l.active_slots, held: l.held}])), other_limits_active_slots: leased},
    };
  },
  async repair(doctor) {
    const leaks = await leakedDeploymentSlots(doctor.ctx, doctor.ctx.db.knex);
    return repairList(doctor, leaks.map((l) => l.id), async (ctx, trx, ids) => {
      const now = nowIso();
      for (const leak of await leakedDeploymentSlots(ctx, trx, ids)) await setLimitActiveSlots(ctx, trx, leak.id, leak.held, now);
    });
  },
};

const RUN_KINDS: RunKind[] = ['flow_run', 'task_run'];

async function rederive(ctx: RepositoryContext, trx: Knex.Transaction, kind: RunKind, ids: string[]): Promise<void> {
  const now = nowIso();
  for (const entry of await runsWithHistory(ctx, trx, kind, ids)) {
    if (disagreements(entry).length > 0) await writeDerivedColumns(ctx, trx, kind, entry, now);
  }
}

export const statePointerCheck: Check = {
  name: 'state-pointer',
  fix: `${FIX} (points state_id at the newest state and re-derives the run from its history)`,
  runsBeside: canRunBeside,
  detect: ({ctx, signal}) => detectIds(ctx, RUN_KINDS.map((kind) => wrongStatePointers(ctx, kind)), {signal}),
  async repair(doctor) {
    let changed = 0;
    for (const kind of RUN_KINDS) changed += await repairSelection(doctor, wrongStatePointers(doctor.ctx, kind), (ctx, trx, ids) => rederive(ctx, trx, kind, ids));
    return changed;
  },
};

/** Runs whose pointer is right but whose other state columns disagree with the history. */
async function bookkeepingMismatches(ctx: RepositoryContext): Promise<Array<{kind: RunKind; id: string; columns: string[]}>> {
  const found: Array<{kind: RunKind; id: string; columns: string[]}> = [];
  for (const kind of RUN_KINDS) {
    await forEachRunWithHistory(ctx, kind, (entries) => {
      for (const entry of entries) {
        const columns = disagreements(entry);
        if (columns.length > 0 && !columns.includes('state_id')) found.push({kind, id: entry.run.id as string, columns});
      }
    });
  }
  return found;
}

export const runBookkeepingCheck: Check = {
  name: 'run-bookkeeping',
  runsBeside: (ctx) => ctx.db.dialect === 'postgres',
  fix: `${FIX} (re-derives state columns, start/end, total_run_time and run_count from the history)`,
  async detect({ctx}) {
    const found = await bookkeepingMismatches(ctx);
    const columns: Record<string, number> = {};
    for (const mismatch of found) for (const column of mismatch.columns) columns[column] = (columns[column] ?? 0) + 1;
    return {count: found.length, sample_ids: found.slice(0, 5).map((m) => m.id), detail: columns};
  },
  async repair(doctor) {
    const found = await bookkeepingMismatches(doctor.ctx);
    let changed = 0;
    for (const kind of RUN_KINDS) {
      changed += await repairList(doctor, found.filter((m) => m.kind === kind).map((m) => m.id), (ctx, trx, ids) => rederive(ctx, trx, kind, ids));
    }
    return changed;
  },
};

function deletingCheck(name: string, what: string, def: () => IdQueryDef, table: string, available: (ctx: RepositoryContext) => boolean): Check {
  return {
    name,
    fix: `${FIX} (deletes the ${what})`,
    runsBeside: canRunBeside,
    detect: ({ctx, signal}) => (available(ctx) ? detectIds(ctx, [def()], {signal}) : Promise.resolve({count: 0, sample_ids: [], detail: `no ${table} table at this revision`})),
    repair: (doctor) => repairSelection(doctor, def(), async (ctx, trx, ids) => void (await deleteByIds(ctx, trx, table, ids))),
  };
}

export const orphanLogsCheck = deletingCheck('orphan-logs', 'logs', orphanLogs, 'log', () => true);
export const orphanCacheRowsCheck = deletingCheck('orphan-cache-rows', 'cache rows', orphanCacheRows, 'task_run_state_cache', (ctx) => ctx.schema.hasTable('task_run_state_cache'));
/** Runs go as `flow-run delete` deletes them (services/run-deletion.ts): slots, logs, artifacts, subflows. */
const deleteFlowRuns = async (ctx: RepositoryContext, trx: Knex.Transaction, ids: readonly string[]) => void (await deleteBatch(ctx, trx, ids, {kind: 'flow_run', keepSubflows: false}));

export const orphanScheduledRunsCheck: Check = {
  name: 'orphan-scheduled-runs',
  fix: `${FIX} (deletes them as prefectdb flow-run delete does)`,
  detect: ({ctx}) => detectIds(ctx, [orphanScheduledRuns()]),
  repair: (doctor) => repairSelection(doctor, orphanScheduledRuns(), deleteFlowRuns),
};

export const orphanArtifactsCheck: Check = {
  name: 'orphan-artifacts',
  fix: `${FIX} (deletes the artifacts and repairs their collections)`,
  runsBeside: canRunBeside,
  detect: ({ctx, signal}) => detectIds(ctx, [orphanArtifacts()], {signal}),
  repair: (doctor) =>
    repairSelection(doctor, orphanArtifacts(), async (ctx, trx, ids) => {
      const keys: Array<{key: string | null}> = await trx('artifact').whereIn('id', ids.map((id) => ctx.db.codec.encodeUuid(id))).select('key');
      await deleteByIds(ctx, trx, 'artifact', ids);
      await repairCollections(ctx, trx, keys.flatMap(({key}) => (key === null ? [] : [key])), nowIso());
    }),
};

export const danglingCollectionsCheck: Check = {
  name: 'dangling-collections',
  fix: `${FIX} (repoints each to the newest artifact of its key, or removes it when none is left)`,
  detect: ({ctx}) => detectIds(ctx, [danglingCollections()]),
  repair: (doctor) =>
    repairSelection(doctor, danglingCollections(), async (ctx, trx, ids) => {
      const wanted = new Set(ids);
      const keys = (await danglingCollectionRows(trx, undefined)).filter((c) => wanted.has(ctx.db.codec.decodeUuid(c.id) as string)).map((c) => c.key);
      await repairCollections(ctx, trx, keys, nowIso());
    }),
};

/** The runs to delete: every Scheduled run of a schedule and time but the oldest. */
async function duplicateScheduledRuns(ctx: RepositoryContext, knex: Knex | Knex.Transaction): Promise<string[]> {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const run of await scheduledRunsSharingATime(ctx, knex)) {
    const key = `${run.deployment_id} ${scheduleOf(run.idempotency_key, run.deployment_id)} ${run.expected_start_time}`;
    if (seen.has(key)) duplicates.push(run.id);
    else seen.add(key);
  }
  return duplicates;
}

/**
 * The schedule a run came from, read from Prefect's idempotency key "scheduled {deployment}
 * {schedule} {date}" (3.x); older keys "scheduled {deployment} {date}" name none, and two
 * schedules of one deployment that fire at the same time are not duplicates.
 */
function scheduleOf(key: string | null, deploymentId: string): string {
  const parts = (key ?? '').split(' ');
  return parts[0] === 'scheduled' && parts[1] === deploymentId && /^[0-9a-f-]{36}$/.test(parts[2] ?? '') ? parts[2] : '';
}

export const duplicateScheduledRunsCheck: Check = {
  name: 'duplicate-scheduled-runs',
  fix: `${FIX} (deletes all but the oldest run of each schedule and time)`,
  async detect({ctx}) {
    const ids = await duplicateScheduledRuns(ctx, ctx.db.knex);
    return {count: ids.length, sample_ids: ids.slice(0, 5)};
  },
  async repair(doctor) {
    const ids = await duplicateScheduledRuns(doctor.ctx, doctor.ctx.db.knex);
    return repairList(doctor, ids, async (ctx, trx, batch) => {
      const still = new Set(await duplicateScheduledRuns(ctx, trx));
      await deleteFlowRuns(ctx, trx, batch.filter((id) => still.has(id)));
    });
  },
};
