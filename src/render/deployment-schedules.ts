import type {DeploymentRecord} from '../repositories/deployments.js';
import {describeSchedule} from '../scheduling/describe.js';
import {nextRunTimes} from '../scheduling/next-runs.js';
import {parseSchedule} from '../scheduling/schedule.js';

/** What `deployment ls` shows of a deployment's schedules: each one in words, and the next run. */
export interface ScheduleSummary {
  words: string;
  /** ISO-8601 UTC; null when paused, without an active schedule, or when no time can be computed. */
  nextRun: string | null;
}

/**
 * The words drop the raw cron/rrule text that `deployment schedule ls` adds (a list has no room
 * for it); an inactive schedule says so. The next run is the earliest one any active schedule
 * gives from now — what Prefect's scheduler will create next — and none for a paused deployment.
 */
export function summariseSchedules(deployment: DeploymentRecord, nowMillis: number): ScheduleSummary {
  let nextRun: string | null = null;
  const lines = deployment.schedules.map((record) => {
    const schedule = parseSchedule(record.schedule);
    const words = describeSchedule(schedule).split(' — ')[0];
    if (record.active && !deployment.paused) {
      const next = nextRunTimes(schedule, nowMillis, 1);
      const first = next.times?.[0];
      if (first !== undefined && (nextRun === null || first < nextRun)) nextRun = first;
    }
    return record.active ? words : `${words} (inactive)`;
  });
  return {words: lines.join('\n'), nextRun};
}
