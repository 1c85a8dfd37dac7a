import {Cron} from 'croner';
import {DateTime} from 'luxon';
import rrulePackage from 'rrule';

import {DAY, HOUR, isoOf, microsFromMillis, millisOf, type Micros, pydanticIsoOf, SECOND} from './time.js';

const {rrulestr} = rrulePackage;

/** A deployment schedule as deployment_schedule.schedule stores it (behaviour.md §2.4). */
export type ScheduleSpec =
  | {kind: 'interval'; intervalSeconds: number; anchor: Micros; timezone: string}
  | {kind: 'cron'; cron: string; timezone: string}
  | {kind: 'rrule'; rrule: string; timezone: string};

/** The JSON Prefect stores; key order as Pydantic dumps the models. */
export function scheduleJson(spec: ScheduleSpec): Record<string, unknown> {
  switch (spec.kind) {
    case 'interval':
      return {interval: spec.intervalSeconds, anchor_date: pydanticIsoOf(spec.anchor), timezone: spec.timezone};
    case 'cron':
      return {cron: spec.cron, timezone: spec.timezone, day_or: true};
    case 'rrule':
      return {rrule: spec.rrule, timezone: spec.timezone};
  }
}

/** created_by.display_value of the runs the scheduler makes when the schedule has no slug. */
export function scheduleDisplayValue(spec: ScheduleSpec): string {
  return {interval: 'IntervalSchedule', cron: 'CronSchedule', rrule: 'RRuleSchedule'}[spec.kind];
}

/**
 * Low-volume schedules people write by hand. Cron and rrule occurrences come from the same
 * libraries the CLI uses (croner, rrule); they cost tens of µs each, so the bulk of a large
 * seed is carried by interval schedules, whose occurrences are plain arithmetic.
 */
export const CRON_TEMPLATES: ReadonlyArray<{cron: string; timezone: string}> = [
  {cron: '0 * * * *', timezone: 'UTC'},
  {cron: '0 9 * * 1-5', timezone: 'America/New_York'},
  {cron: '*/30 * * * *', timezone: 'UTC'},
  {cron: '15 */6 * * *', timezone: 'Europe/Paris'},
  {cron: '0 2 * * *', timezone: 'UTC'},
];

export const RRULE_TEMPLATES: ReadonlyArray<{rule: string; timezone: string}> = [
  {rule: 'FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0', timezone: 'UTC'},
  {rule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=6;BYMINUTE=30', timezone: 'UTC'},
  {rule: 'FREQ=HOURLY;INTERVAL=4;BYMINUTE=10', timezone: 'UTC'},
];

/** An rrule string anchored at `start` (RFC 5545 DTSTART, UTC). */
export function rruleText(rule: string, start: Micros): string {
  const dtstart = isoOf(start).slice(0, 19).replaceAll('-', '').replaceAll(':', '');
  return `DTSTART:${dtstart}\nRRULE:${rule}`;
}

/** Occurrences strictly after `from`, ascending, computed lazily. */
export function* occurrencesAfter(spec: ScheduleSpec, from: Micros): Generator<Micros> {
  switch (spec.kind) {
    case 'interval': {
      // Prefect: anchor + k·interval ≥ start (intervals under a day step in UTC).
      const step = spec.intervalSeconds * SECOND;
      let k = Math.max(0, Math.floor((from - spec.anchor) / step) + 1);
      for (;; k++) yield spec.anchor + k * step;
    }
    case 'cron': {
      const cron = new Cron(spec.cron, {timezone: spec.timezone, paused: true});
      let cursor = new Date(millisOf(from));
      for (;;) {
        const next = cron.nextRun(cursor);
        if (!next) return;
        cursor = next;
        yield microsFromMillis(next.getTime());
      }
    }
    case 'rrule': {
      const rule = rrulestr(spec.rrule);
      // rrule iterates from DTSTART on every call: fetch a week at a time.
      let windowStart = from;
      for (;;) {
        const dates = rule.between(new Date(millisOf(windowStart)), new Date(millisOf(windowStart + 7 * DAY)), false);
        for (const date of dates) yield microsFromMillis(date.getTime());
        windowStart += 7 * DAY;
      }
    }
  }
}

/** The last `count` occurrences strictly before `before`, ascending. */
export function occurrencesBefore(spec: ScheduleSpec, before: Micros, count: number): Micros[] {
  if (count <= 0) return [];
  switch (spec.kind) {
    case 'interval': {
      const step = spec.intervalSeconds * SECOND;
      const last = Math.ceil((before - spec.anchor) / step) - 1;
      const first = Math.max(0, last - count + 1);
      const out: Micros[] = [];
      for (let k = first; k <= last; k++) out.push(spec.anchor + k * step);
      return out;
    }
    case 'cron': {
      const cron = new Cron(spec.cron, {timezone: spec.timezone, paused: true});
      return cron
        .previousRuns(count, new Date(millisOf(before)))
        .map((date) => microsFromMillis(date.getTime()))
        .reverse();
    }
    case 'rrule': {
      const dates = rrulestr(spec.rrule).between(new Date(0), new Date(millisOf(before)), false);
      return dates.slice(-count).map((date) => microsFromMillis(date.getTime()));
    }
  }
}

/** Average occurrences per day, measured over one week from `from`. */
export function occurrencesPerDay(spec: ScheduleSpec, from: Micros): number {
  let count = 0;
  for (const at of occurrencesAfter(spec, from)) {
    if (at > from + 7 * DAY) break;
    count++;
  }
  return count / 7;
}

// Prefect's scheduler defaults (PREFECT_SERVER_SERVICES_SCHEDULER_*, behaviour.md §2.1).
const MIN_RUNS = 3;
const MAX_RUNS = 100;
const MIN_SCHEDULED_TIME = HOUR;
const MAX_SCHEDULED_TIME = 100 * DAY;

/** The future runs Prefect's scheduler keeps for an active schedule at `now`. */
export function scheduledRunTimes(spec: ScheduleSpec, now: Micros): Micros[] {
  const out: Micros[] = [];
  for (const at of occurrencesAfter(spec, now)) {
    if (at > now + MAX_SCHEDULED_TIME) break;
    out.push(at);
    if (out.length >= MAX_RUNS || (out.length >= MIN_RUNS && at >= now + MIN_SCHEDULED_TIME)) break;
  }
  return out;
}

/**
 * `str()` of the occurrence as a zoned Python datetime, which Prefect's scheduler puts in
 * the idempotency key: "2026-01-05 09:00:00-05:00".
 */
export function pythonZonedString(at: Micros, timezone: string): string {
  const fraction = at % SECOND === 0 ? '' : '.' + String(at % SECOND).padStart(6, '0');
  // UTC is the bulk of a large seed: skip luxon's zone machinery for it.
  if (timezone === 'UTC') return isoOf(at).slice(0, 19).replace('T', ' ') + fraction + '+00:00';
  const zoned = DateTime.fromMillis(millisOf(at), {zone: timezone});
  return zoned.toFormat('yyyy-MM-dd HH:mm:ss') + fraction + zoned.toFormat('ZZ');
}
