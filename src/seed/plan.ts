import type {SeedOptions} from './options.js';
import type {SeededRandom} from './random.js';
import {
  CRON_TEMPLATES,
  occurrencesBefore,
  occurrencesPerDay,
  RRULE_TEMPLATES,
  rruleText,
  scheduledRunTimes,
  type ScheduleSpec,
} from './schedules.js';
import {DAY, HOUR, MINUTE, type Micros, SECOND} from './time.js';

export interface DeploymentPlan {
  index: number;
  flowIndex: number;
  schedule: ScheduleSpec;
  scheduleActive: boolean;
  /** Seconds between runs, roughly: how far ahead the scheduler created each run. */
  periodSeconds: number;
  /** Occurrences before `now` that became runs (ascending). */
  pastRunTimes: Micros[];
  /** The runs the scheduler holds in the future (ascending). */
  futureRunTimes: Micros[];
}

export interface SeedPlan {
  flowCount: number;
  /** History covered by manual and ad-hoc runs, and roughly by the schedules. */
  windowStart: Micros;
  /** Before every run: when flows, deployments and pools were created. */
  catalogueCreated: Micros;
  deployments: DeploymentPlan[];
  manualRuns: number;
  adHocRuns: number;
}

// Shares of the flow runs that have already happened (the rest are scheduled in the future).
const INTERVAL_SHARE = 0.6;
const CALENDAR_SHARE = 0.2; // cron and rrule schedules
const MANUAL_SHARE = 0.1;

const FIRST_RUN_LEAD = 10 * MINUTE;

const NICE_INTERVALS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200];

/**
 * Decides how many runs each schedule produced, so the total is exactly --flow-runs: the
 * scheduler's future runs first (as Prefect's scheduler keeps them: ≥ 3 and ≥ 1 hour ahead,
 * ≤ 100), then past occurrences of every schedule, then manual and ad-hoc runs. The history
 * window grows with the run count (one day per 5,000 runs, at most a year) so rates stay
 * plausible; interval schedules carry most of the volume because their dates are arithmetic.
 */
export function planSeed(options: SeedOptions, random: SeededRandom): SeedPlan {
  const {now, flowRuns} = options;
  const window = Math.min(365 * DAY, Math.max(DAY, Math.round((flowRuns / 5000) * DAY)));
  const deploymentCount = options.flows === 0 ? 0 : options.deployments;
  const intervalCount = Math.ceil(deploymentCount / 3);
  const intervalSeconds = niceInterval(window / SECOND / Math.max(1, (INTERVAL_SHARE * flowRuns) / Math.max(1, intervalCount)));

  const deployments: DeploymentPlan[] = [];
  for (let index = 0; index < deploymentCount; index++) {
    const schedule = scheduleFor(index, now, window, intervalSeconds);
    deployments.push({
      index,
      flowIndex: index % options.flows,
      schedule,
      scheduleActive: index % 10 !== 9,
      periodSeconds: DAY / SECOND / Math.max(occurrencesPerDay(schedule, now - 7 * DAY), 1 / 7),
      pastRunTimes: [],
      futureRunTimes: [],
    });
  }

  // Future runs; with few runs requested, fewer schedules stay active.
  // Counted from a little after now: a run due seconds after seeding would be late (db doctor's
  // late-runs) before anyone had looked at the fresh database.
  const firstRunAfter = now + FIRST_RUN_LEAD;
  for (const plan of deployments) plan.futureRunTimes = plan.scheduleActive ? scheduledRunTimes(plan.schedule, firstRunAfter) : [];
  const futureTotal = () => deployments.reduce((sum, p) => sum + p.futureRunTimes.length, 0);
  while (futureTotal() > flowRuns / 2) {
    const busiest = deployments.reduce((a, b) => (b.futureRunTimes.length > a.futureRunTimes.length ? b : a));
    busiest.scheduleActive = false;
    busiest.futureRunTimes = [];
  }

  const past = flowRuns - futureTotal();
  const calendar = deployments.filter((p) => p.schedule.kind !== 'interval');
  const interval = deployments.filter((p) => p.schedule.kind === 'interval');
  const calendarWanted = calendar.map((p) => Math.floor((window / p.periodSeconds / SECOND) * (1 - random.next() * 0.2)));
  const calendarScale = Math.min(1, (CALENDAR_SHARE * past) / Math.max(1, sum(calendarWanted)));
  const calendarQuotas = calendarWanted.map((wanted) => Math.floor(wanted * calendarScale));
  const intervalQuotas = split(Math.round(INTERVAL_SHARE * past), interval.length);
  calendar.forEach((plan, i) => (plan.pastRunTimes = pastTimes(plan, now, calendarQuotas[i])));
  interval.forEach((plan, i) => (plan.pastRunTimes = pastTimes(plan, now, intervalQuotas[i])));
  // Anchors moved back by whole days, and every period divides a day: the future is unchanged.

  const scheduledPast = sum(deployments.map((p) => p.pastRunTimes.length));
  const manualRuns = deploymentCount === 0 ? 0 : Math.min(past - scheduledPast, Math.round(MANUAL_SHARE * past));
  const adHocRuns = options.flows === 0 ? 0 : past - scheduledPast - manualRuns;

  const earliestRun = Math.min(now - window, ...deployments.map((p) => p.pastRunTimes[0] ?? now));
  return {
    flowCount: options.flows,
    windowStart: now - window,
    catalogueCreated: earliestRun - 5 * DAY,
    deployments,
    manualRuns,
    adHocRuns,
  };
}

function scheduleFor(index: number, now: Micros, window: Micros, intervalSeconds: number): ScheduleSpec {
  const kindIndex = Math.floor(index / 3);
  switch (index % 3) {
    case 0:
      // Re-anchored below once the number of past runs is known.
      return {kind: 'interval', intervalSeconds, anchor: startOfDay(now - window - 8 * DAY), timezone: 'UTC'};
    case 1: {
      const template = CRON_TEMPLATES[kindIndex % CRON_TEMPLATES.length];
      return {kind: 'cron', cron: template.cron, timezone: template.timezone};
    }
    default: {
      const template = RRULE_TEMPLATES[kindIndex % RRULE_TEMPLATES.length];
      return {kind: 'rrule', rrule: rruleText(template.rule, startOfDay(now - window - 8 * DAY)), timezone: template.timezone};
    }
  }
}

/** The schedule's last `count` dates before now; the anchor/DTSTART moves back to cover them. */
function pastTimes(plan: DeploymentPlan, now: Micros, count: number): Micros[] {
  const reach = now - (count + 2) * plan.periodSeconds * SECOND - 2 * DAY;
  if (plan.schedule.kind === 'interval') {
    plan.schedule = {...plan.schedule, anchor: Math.min(plan.schedule.anchor, startOfDay(reach))};
  } else if (plan.schedule.kind === 'rrule') {
    const rule = plan.schedule.rrule.split('\nRRULE:')[1];
    plan.schedule = {...plan.schedule, rrule: rruleText(rule, Math.min(startOfDay(reach), startOfDay(now - HOUR)))};
  }
  return occurrencesBefore(plan.schedule, now, count);
}

function niceInterval(seconds: number): number {
  return NICE_INTERVALS.reduce((best, n) => (Math.abs(Math.log(n / seconds)) < Math.abs(Math.log(best / seconds)) ? n : best));
}

function startOfDay(at: Micros): Micros {
  return Math.floor(at / DAY) * DAY;
}

/** Splits `total` into `parts` near-equal integers. */
function split(total: number, parts: number): number[] {
  if (parts === 0) return [];
  return Array.from({length: parts}, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
