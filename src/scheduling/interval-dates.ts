import {DateTime} from 'luxon';

import type {IntervalSchedule} from './schedule.js';
import {type ZonedTime, zonedFromIso} from './zoned-time.js';

// Prefect's generators give up after this many candidate dates.
export const MAX_ITERATIONS = 1000;

const DAY_MILLIS = 86_400_000;

/**
 * The first `count` dates of an interval schedule at or after `startMillis`, as Prefect's
 * IntervalSchedule computes them:
 * - it first jumps from the anchor by a whole number of intervals (truncated toward zero)
 *   in absolute time, so the jump itself ignores DST;
 * - then it steps by the interval split into whole days and the remaining time: the days
 *   move the calendar and keep the wall-clock hour across DST, the rest is absolute time.
 *   So intervals under a day step in UTC (DST gives two "1 am" runs), daily and longer
 *   ones keep their local hour.
 * Intervals are taken to the millisecond; the anchor's microseconds are kept.
 */
export function intervalDates(schedule: IntervalSchedule, startMillis: number, count: number): ZonedTime[] {
  const anchor = zonedFromIso(schedule.anchorDate, schedule.timezone);
  const intervalMillis = Math.round(schedule.interval * 1000);
  const days = Math.floor(intervalMillis / DAY_MILLIS);
  const remainderMillis = intervalMillis - days * DAY_MILLIS;
  // Absolute time is added by rebuilding from epoch milliseconds: luxon's plus() costs
  // several times more, which a backfill of thousands of dates feels.
  const step = (time: DateTime): DateTime => {
    const calendar = days > 0 ? time.plus({days}) : time;
    return remainderMillis === 0 ? calendar : DateTime.fromMillis(calendar.toMillis() + remainderMillis, {zone: calendar.zone});
  };

  const periods = Math.trunc((startMillis - anchor.time.toMillis()) / intervalMillis);
  let next = anchor.time.plus({milliseconds: periods * intervalMillis});
  while (next.toMillis() < startMillis) next = step(next);

  const dates: ZonedTime[] = [];
  const seen = new Set<number>();
  for (let attempts = 0; dates.length < count && attempts <= MAX_ITERATIONS; attempts++) {
    if (!seen.has(next.toMillis())) {
      seen.add(next.toMillis());
      dates.push({time: next, subMillisecondMicros: anchor.subMillisecondMicros});
    }
    next = step(next);
  }
  return dates;
}
