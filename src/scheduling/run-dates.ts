import {datesOf} from './next-runs.js';
import type {Schedule} from './schedule.js';
import type {ZonedTime} from './zoned-time.js';

export type EvaluableSchedule = Exclude<Schedule, {kind: 'unknown'}>;

/** The scheduler service's limits (PREFECT_SERVER_SERVICES_SCHEDULER_*, behaviour.md §2.1). */
export interface SchedulerLimits {
  minRuns: number;
  maxRuns: number;
  minScheduledSeconds: number;
  maxScheduledSeconds: number;
}

export const SCHEDULER_DEFAULTS: SchedulerLimits = {
  minRuns: 3,
  maxRuns: 100,
  minScheduledSeconds: 3600,
  maxScheduledSeconds: 100 * 86_400,
};

const millisOf = (zoned: ZonedTime) => zoned.time.toMillis() + zoned.subMillisecondMicros / 1000;

/**
 * The dates one scheduler pass generates for a schedule at `nowMillis`: from now to the
 * horizon, at most maxRuns, stopping at the first date that has both the minimum count
 * and the minimum look-ahead behind it.
 */
export function schedulerPassDates(schedule: EvaluableSchedule, nowMillis: number, limits: SchedulerLimits = SCHEDULER_DEFAULTS): ZonedTime[] {
  const end = nowMillis + limits.maxScheduledSeconds * 1000;
  const minTime = nowMillis + limits.minScheduledSeconds * 1000;
  const dates: ZonedTime[] = [];
  for (const date of datesOf(schedule, nowMillis, limits.maxRuns)) {
    if (millisOf(date) > end) break;
    dates.push(date);
    if (dates.length >= limits.minRuns && millisOf(date) >= minTime) break;
  }
  return dates;
}

// Each call of the underlying generators stays under their own iteration cap.
const CHUNK = 500;

/** Every date from `startMillis` to `endMillis`, both included, at most `maxRuns` (a backfill). */
export function windowDates(schedule: EvaluableSchedule, startMillis: number, endMillis: number, maxRuns = Infinity): ZonedTime[] {
  const dates: ZonedTime[] = [];
  let cursor = startMillis;
  while (dates.length < maxRuns) {
    const chunk = datesOf(schedule, cursor, CHUNK);
    for (const date of chunk) {
      if (millisOf(date) > endMillis || dates.length >= maxRuns) return dates;
      dates.push(date);
    }
    if (chunk.length < CHUNK) return dates;
    cursor = Math.floor(millisOf(chunk[chunk.length - 1])) + 1;
  }
  return dates;
}

/**
 * The texts Prefect writes for a date: Python's str() of the zoned datetime, which goes
 * into the idempotency key ("2026-01-05 09:00:00-05:00", ".ffffff" only when there are
 * microseconds), and Pydantic's JSON form for state_details.scheduled_time
 * ("2026-01-05T09:00:00-05:00", "Z" for a zero offset).
 */
export function dateTexts(zoned: ZonedTime): {python: string; pydantic: string} {
  const {wall, fraction, offset} = parts(zoned);
  return {python: `${wall.replace('T', ' ')}${fraction}${offset}`, pydantic: `${wall}${fraction}${offset === '+00:00' ? 'Z' : offset}`};
}

/** Wall-clock digits, fraction (only when non-zero) and ±HH:MM offset, without luxon's formatter (hot in backfills). */
function parts(zoned: ZonedTime): {wall: string; fraction: string; offset: string} {
  const offsetMinutes = zoned.time.offset;
  const wall = new Date(zoned.time.toMillis() + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const micros = zoned.time.millisecond * 1000 + zoned.subMillisecondMicros;
  const fraction = micros === 0 ? '' : '.' + String(micros).padStart(6, '0');
  const abs = Math.abs(offsetMinutes);
  const offset = `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return {wall, fraction, offset};
}

/** The contract's UTC ISO form of a date. */
export {isoOf as isoOfDate} from './zoned-time.js';
