import {releaseAtLeast} from '../db/release.js';
import {newUuid4, newUuid7} from '../db/ids.js';
import {runNamer} from '../runs/run-names.js';
import type {RepositoryContext} from '../repositories/common.js';
import type {DeploymentRecord} from '../repositories/deployments.js';
import {insertScheduledRuns, type NewRun, readRunSource, scheduleNeedsRuns} from '../repositories/scheduled-runs.js';
import {scheduledRunMaker, type ScheduledRunFactory, type SchedulerEra} from '../runs/scheduled-run-rows.js';
import {isoOfDate, SCHEDULER_DEFAULTS, schedulerPassDates, windowDates} from '../scheduling/run-dates.js';
import {parseSchedule} from '../scheduling/schedule.js';
import {isKnownTimezone, type ZonedTime} from '../scheduling/zoned-time.js';
import {formatIsoInstant, instantFromMillis} from '../db/codecs/instant.js';
import {type BatchReport, listSource, runInBatches} from './batches.js';
import type {ProgressListener} from './progress.js';

/** What happened to one schedule of one deployment. */
export interface ScheduleRunsLine {
  deployment_id: string;
  deployment: string;
  schedule_id: string | null;
  schedule_slug: string | null;
  /** Dates the schedule yields in the pass or window. */
  dates: number;
  /** Runs inserted; the rest already existed (same idempotency key). */
  created: number;
  first_run: string | null;
  last_run: string | null;
  /** Why nothing was generated, when that is the case. */
  skipped: string | null;
}

export interface ScheduleRunsOptions {
  ctx: RepositoryContext;
  deployments: readonly DeploymentRecord[];
  nowMillis: number;
  /** A backfill: every date from start to end, both included. Without it, a scheduler pass. */
  window?: {startMillis: number; endMillis: number};
  /** At most this many dates per schedule in a window. */
  maxRuns?: number;
  /** Backfill paused deployments too (a pass never schedules them, as Prefect's scheduler). */
  includePaused?: boolean;
  dryRun?: boolean;
  batchSize?: number;
  onProgress?: ProgressListener;
}

const CLASS_NAMES = {interval: 'IntervalSchedule', cron: 'CronSchedule', rrule: 'RRuleSchedule'} as const;

/**
 * Creates the runs Prefect's scheduler would create now (or, with a window, every run of
 * the window) for the active schedules of the given deployments, in batched transactions.
 * Idempotent: a date that already has its run is skipped by the idempotency key.
 */
export async function scheduleRuns(options: ScheduleRunsOptions): Promise<{lines: ScheduleRunsLine[]; batches: BatchReport}> {
  const {ctx} = options;
  const factory: ScheduledRunFactory = {
    era: schedulerEra(ctx),
    now: formatIsoInstant(instantFromMillis(options.nowMillis)),
    newId: releaseAtLeast(ctx.schema, '3.4.0') ? newUuid7 : () => newUuid4(),
    newName: runNamer(),
  };
  const lines: ScheduleRunsLine[] = [];
  const items: Array<{line: number; run: NewRun}> = [];
  for (const deployment of options.deployments) {
    const label = `${deployment.flow_name}/${deployment.name}`;
    const lineFor = (scheduleId: string | null, slug: string | null, skipped: string | null): ScheduleRunsLine => ({
      deployment_id: deployment.id,
      deployment: label,
      schedule_id: scheduleId,
      schedule_slug: slug,
      dates: 0,
      created: 0,
      first_run: null,
      last_run: null,
      skipped,
    });
    if (deployment.paused && !(options.window && options.includePaused)) {
      lines.push(lineFor(null, null, 'deployment is paused'));
      continue;
    }
    const source = await readRunSource(ctx, ctx.db.knex, deployment.id);
    // A pass, like Prefect's, leaves alone a deployment whose schedules all have enough runs ahead.
    const activeIds = deployment.schedules.filter((s) => s.active && s.id !== null).map((s) => s.id as string);
    const satisfied = !options.window && activeIds.length > 0 && !(await scheduleNeedsRuns(
      ctx, deployment.id, activeIds, factory.now, SCHEDULER_DEFAULTS.minRuns,
      formatIsoInstant(instantFromMillis(options.nowMillis + SCHEDULER_DEFAULTS.minScheduledSeconds * 1000)),
    ));
    for (const record of deployment.schedules) {
      const line = lineFor(record.id, record.slug, null);
      lines.push(line);
      const schedule = parseSchedule(record.schedule);
      if (!record.active) {
        line.skipped = 'schedule is inactive';
        continue;
      }
      if (satisfied) {
        line.skipped = 'enough runs scheduled ahead';
        continue;
      }
      if (schedule.kind === 'unknown') {
        line.skipped = 'not an interval, cron or rrule schedule';
        continue;
      }
      if (!isKnownTimezone(schedule.timezone)) {
        line.skipped = `unknown time zone "${schedule.timezone}"`;
        continue;
      }
      let dates: ZonedTime[];
      try {
        dates = options.window
          ? windowDates(schedule, options.window.startMillis, options.window.endMillis, options.maxRuns)
          : schedulerPassDates(schedule, options.nowMillis);
      } catch (error) {
        line.skipped = `cannot compute run times: ${(error as Error).message}`;
        continue;
      }
      line.dates = dates.length;
      line.first_run = dates.length > 0 ? isoOfDate(dates[0]) : null;
      line.last_run = dates.length > 0 ? isoOfDate(dates[dates.length - 1]) : null;
      const scheduleSource = {id: record.id, slug: record.slug, className: CLASS_NAMES[schedule.kind], parameters: record.parameters};
      const index = lines.length - 1;
      const make = scheduledRunMaker(factory, source, scheduleSource);
      for (const date of dates) items.push({line: index, run: make(date)});
    }
  }
  const lineOfRun = new Map(items.map((item) => [item.run.run.id as string, item.line]));
  const batches = await runInBatches({
    db: ctx.db,
    source: listSource(items),
    batchSize: options.batchSize ?? 500,
    dryRun: options.dryRun,
    progress: options.onProgress && {listener: options.onProgress, label: 'scheduling runs', total: items.length, unit: 'runs'},
    apply: async (trx, batch) => {
      for (const id of await insertScheduledRuns(ctx, trx, batch.map((item) => item.run))) lines[lineOfRun.get(id)!].created += 1;
    },
  });
  return {lines, batches};
}

function schedulerEra(ctx: RepositoryContext): SchedulerEra {
  return {
    keyNamesSchedule: ctx.schema.hasColumn('deployment_schedule', 'slug'),
    scheduleParameters: ctx.schema.hasColumn('deployment_schedule', 'parameters'),
    labels: ctx.schema.hasColumn('flow_run', 'labels'),
  };
}
