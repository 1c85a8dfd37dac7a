import {cronDates} from './cron-dates.js';
import {intervalDates} from './interval-dates.js';
import {rruleDates} from './rrule-dates.js';
import type {Schedule} from './schedule.js';
import {isKnownTimezone, isoOf, type ZonedTime} from './zoned-time.js';

export type NextRuns = {times: string[]; error: null} | {times: null; error: string};

/**
 * The next `count` run times of a schedule from `startMillis` on, as ISO-8601 UTC. A
 * schedule prefectdb cannot evaluate (bad cron, unknown zone, unknown shape) gives an
 * error text instead: reading a database must not fail on one odd row.
 */
export function nextRunTimes(schedule: Schedule, startMillis: number, count: number): NextRuns {
  if (schedule.kind === 'unknown') return {times: null, error: 'not an interval, cron or rrule schedule'};
  if (!isKnownTimezone(schedule.timezone)) return {times: null, error: `unknown time zone "${schedule.timezone}"`};
  try {
    return {times: datesOf(schedule, startMillis, count).map(isoOf), error: null};
  } catch (error) {
    return {times: null, error: (error as Error).message};
  }
}

export function datesOf(schedule: Exclude<Schedule, {kind: 'unknown'}>, startMillis: number, count: number): ZonedTime[] {
  switch (schedule.kind) {
    case 'interval':
      return intervalDates(schedule, startMillis, count);
    case 'cron':
      return cronDates(schedule, startMillis, count);
    case 'rrule':
      return rruleDates(schedule, startMillis, count);
  }
}
