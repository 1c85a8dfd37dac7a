import {Cron} from 'croner';
import {DateTime} from 'luxon';

import {MAX_ITERATIONS} from './interval-dates.js';
import type {CronSchedule} from './schedule.js';
import {floatingFromZoned, type ZonedTime, zonedFromFloating} from './zoned-time.js';

/**
 * Reads a cron expression as Prefect's croniter does. croniter's optional sixth field is
 * seconds at the END; croner wants seconds first, so that field moves to the front.
 * day_or=true (classic cron) ORs day-of-month and day-of-week; croner calls the opposite
 * domAndDow. Throws croner's message for an expression it cannot read.
 */
export function parseCron(schedule: CronSchedule): Cron {
  const fields = schedule.cron.trim().split(/\s+/);
  const pattern = fields.length === 6 ? [fields[5], ...fields.slice(0, 5)].join(' ') : fields.join(' ');
  // The cron is evaluated on floating wall-clock times (see zoned-time.ts), hence UTC here.
  return new Cron(pattern, {timezone: 'UTC', domAndDow: !schedule.dayOr, mode: '5-or-6-parts'});
}

/**
 * The first `count` cron dates at or after `startMillis`. Like Prefect, the cron walks the
 * local wall clock of the schedule's zone from one second before the start (rounded up to
 * a whole second), and each wall-clock time is then placed in the zone: an hourly cron
 * pauses two hours when clocks go back, a time skipped by a DST jump runs at the jump's
 * end, and a 9 am cron stays at 9 am local all year.
 */
export function cronDates(schedule: CronSchedule, startMillis: number, count: number): ZonedTime[] {
  const cron = parseCron(schedule);
  const fromMillis = Math.ceil(startMillis / 1000) * 1000 - 1000;
  let cursor: Date | null = floatingFromZoned(DateTime.fromMillis(fromMillis, {zone: schedule.timezone}));

  const dates: ZonedTime[] = [];
  const seen = new Set<number>();
  for (let attempts = 0; dates.length < count && attempts <= MAX_ITERATIONS; attempts++) {
    cursor = cron.nextRun(cursor);
    if (!cursor) break;
    const time = zonedFromFloating(cursor, schedule.timezone);
    if (!seen.has(time.toMillis())) {
      seen.add(time.toMillis());
      dates.push({time, subMillisecondMicros: 0});
    }
  }
  return dates;
}
