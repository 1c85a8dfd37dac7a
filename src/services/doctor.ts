import {addSeconds, formatIsoInstant, nowInstant, parseInstant} from '../db/codecs/instant.js';
import type {Database} from '../db/connection.js';
import type {SchemaInfo} from '../db/schema-info.js';
import {repositoryContext} from '../repositories/common.js';
import {position, type ProgressListener} from './progress.js';
import * as checks from './doctor-checks.js';
import type {Check, Detection, DoctorContext} from './doctor-checks.js';
import {foreignKeysCheck, integrityCheck, storageCheck} from './doctor-database-checks.js';
import {schemaDriftCheck} from './doctor-schema-check.js';

/** One line of `db doctor`'s report (the JSON contract: check, status, count, sample_ids, fix). */
export interface Finding {
  check: string;
  status: 'ok' | 'found' | 'fixed';
  /** Rows the fix changes (runs for run checks, limits for slot checks); after --fix, rows it changed. */
  count: number;
  sample_ids: string[];
  fix: string | null;
  detail?: unknown;
  /** Seconds the check took: detection, and its repair with --fix. */
  seconds: number;
}

/** The report's order: the order the checks are listed in. */
export const CHECKS: readonly Check[] = [
  checks.zombieRunsCheck,
  checks.strandedTaskRunsCheck,
  checks.stuckCancellingCheck,
  checks.lateRunsCheck,
  checks.leakedTagSlotsCheck,
  checks.leakedLimitSlotsCheck,
  checks.statePointerCheck,
  checks.runBookkeepingCheck,
  checks.orphanLogsCheck,
  checks.orphanArtifactsCheck,
  checks.orphanCacheRowsCheck,
  checks.danglingCollectionsCheck,
  checks.orphanScheduledRunsCheck,
  checks.duplicateScheduledRunsCheck,
  integrityCheck,
  foreignKeysCheck,
  storageCheck,
  schemaDriftCheck,
];

/**
 * The order --fix repairs in: a repair can create work for a later check (a run set Crashed
 * strands its task runs; cascades free slots and orphan logs; deletions leave free pages).
 */
const REPAIR_ORDER = [
  'integrity',
  'foreign-keys',
  'zombie-runs',
  'stuck-cancelling',
  'stranded-task-runs',
  'late-runs',
  'state-pointer',
  'run-bookkeeping',
  'orphan-scheduled-runs',
  'duplicate-scheduled-runs',
  'orphan-logs',
  'orphan-artifacts',
  'orphan-cache-rows',
  'dangling-collections',
  'leaked-tag-slots',
  'leaked-limit-slots',
  'storage',
];

/** Cancelling runs older than this are stuck: Prefect's cancellation cleanup gives up after 300 s. */
const CANCELLING_SECONDS = 300;
/** Prefect's late-runs service marks a Scheduled run Late 15 s after its start time (PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS). */
const LATE_SECONDS = 15;

export interface DoctorOptions {
  fix: boolean;
  dryRun: boolean;
  /** Run only these checks (names as CHECKS has them); all when absent. */
  only?: readonly string[];
  /** SQLite: the full integrity_check rather than quick_check. */
  fullIntegrity?: boolean;
  /** Told as each check starts (a progress line on a terminal). */
  progress?: ProgressListener;
  /** ISO instant: Running/Pending runs with no sign of life since before it are zombies. */
  staleCutoff: string;
  filename?: string;
  /** Called after detection when something can be fixed: may refuse (confirmation). */
  beforeRepair?: (found: Finding[]) => Promise<void>;
}

/** The names `--check` accepts, in report order. */
export function checkNames(): string[] {
  return CHECKS.map((check) => check.name);
}

export function doctorContext(db: Database, schema: SchemaInfo, options: DoctorOptions): DoctorContext {
  const now = nowInstant();
  return {
    ctx: repositoryContext(db, schema),
    staleCutoff: formatIsoInstant(parseInstant(options.staleCutoff)),
    cancellingCutoff: formatIsoInstant(addSeconds(now, -CANCELLING_SECONDS)),
    lateCutoff: formatIsoInstant(addSeconds(now, -LATE_SECONDS)),
    dryRun: options.dryRun,
    fullIntegrity: Boolean(options.fullIntegrity),
    filename: options.filename,
  };
}

function finding(check: Check, detection: Detection, status: Finding['status'], seconds = 0): Finding {
  const result: Finding = {check: check.name, status, count: detection.count, sample_ids: detection.sample_ids, fix: status === 'found' ? check.fix : null, seconds};
  if (detection.detail !== undefined) result.detail = detection.detail;
  return result;
}

export async function runDoctor(db: Database, schema: SchemaInfo, options: DoctorOptions): Promise<Finding[]> {
  const stop = new AbortController();
  const doctor: DoctorContext = {...doctorContext(db, schema, options), signal: stop.signal};
  const chosen = CHECKS.filter((check) => !options.only || options.only.includes(check.name));
  const findings = new Map<string, Finding>();
  const seconds = new Map<string, number>();
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      seconds.set(name, (seconds.get(name) ?? 0) + (performance.now() - start) / 1000);
    }
  };
  await detectAll(doctor, stop, chosen, options.progress, async (check) => {
    const detection = await timed(check.name, () => check.detect(doctor));
    findings.set(check.name, finding(check, detection, detection.count > 0 ? 'found' : 'ok'));
  });
  const repairable = chosen.filter((check) => check.repair && findings.get(check.name)?.status === 'found');
  if (options.fix && repairable.length > 0) {
    await options.beforeRepair?.([...findings.values()].filter((f) => f.status === 'found'));
    await repair(doctor, chosen, findings, timed);
  }
  return chosen.map((check) => ({...(findings.get(check.name) as Finding), seconds: roundSeconds(seconds.get(check.name) ?? 0)}));
}

/**
 * How many checks run beside the rest at once: with this process's own work, two keep the
 * processors and the disk busy without more readers fighting over the same disk and cache
 * (and, on PostgreSQL, within the connection pool: run-bookkeeping holds two connections).
 */
const BESIDE_LANES = 2;

/** Beside checks that take longest on a big database start first (then the rest in report order). */
const LONGEST_FIRST = ['run-bookkeeping', 'integrity', 'foreign-keys'];
const startRank = (check: Check) => {
  const rank = LONGEST_FIRST.indexOf(check.name);
  return rank < 0 ? LONGEST_FIRST.length : rank;
};

/** Runs `work` on each item, at most `lanes` at a time, in order of the list. */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({length: Math.min(lanes, items.length)}, lane));
}

/**
 * Runs every chosen check's detection: those that run beside the others (a thread of their
 * own, or the server's work on PostgreSQL) in lanes from the start, the rest one by one.
 * The first failure stops the rest (work running beside is told through the doctor's signal)
 * and is thrown once nothing runs any more.
 */
async function detectAll(doctor: DoctorContext, stop: AbortController, chosen: readonly Check[], progress: ProgressListener | undefined, detect: (check: Check) => Promise<void>): Promise<void> {
  const beside = chosen.filter((check) => check.runsBeside?.(doctor.ctx)).sort((a, b) => startRank(a) - startRank(b));
  const running = new Set<string>();
  let started = 0;
  let failure: {error: unknown} | undefined;
  const tell = () => progress?.({label: `check ${position(started, chosen.length)}: ${[...running].join(', ')}`});
  const run = async (check: Check) => {
    started++;
    running.add(check.name);
    tell();
    try {
      await detect(check);
    } catch (error) {
      failure ??= {error};
      stop.abort();
    } finally {
      running.delete(check.name);
      if (running.size > 0) tell();
    }
  };
  const besideDone = inLanes(beside, BESIDE_LANES, async (check) => {
    if (!stop.signal.aborted) await run(check);
  });
  for (const check of chosen) {
    if (stop.signal.aborted) break;
    if (!beside.includes(check)) await run(check);
  }
  await besideDone;
  if (failure) throw failure.error;
}

async function repair(
  doctor: DoctorContext,
  chosen: readonly Check[],
  findings: Map<string, Finding>,
  timed: <T>(name: string, work: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const byName = new Map(chosen.map((check) => [check.name, check]));
  for (const name of REPAIR_ORDER) {
    const check = byName.get(name);
    if (!check?.repair) continue;
    await timed(name, async () => {
      // Detected afresh: an earlier repair may have made or removed work for this one.
      const before = await check.detect(doctor);
      if (before.count === 0) {
        if (findings.get(name)?.status === 'found') findings.set(name, {...finding(check, before, 'fixed'), count: 0});
        return;
      }
      const changed = await (check.repair as NonNullable<Check['repair']>)(doctor);
      if (doctor.dryRun) {
        findings.set(name, {...finding(check, before, 'found'), detail: {would_change: changed, ...asObject(before.detail)}});
        return;
      }
      const after = await check.detect(doctor);
      findings.set(name, after.count === 0 ? {...finding(check, before, 'fixed'), count: changed} : finding(check, after, 'found'));
    });
  }
}

function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function asObject(detail: unknown): Record<string, unknown> {
  if (detail === undefined) return {};
  return typeof detail === 'object' && detail !== null && !Array.isArray(detail) ? (detail as Record<string, unknown>) : {found: detail};
}
