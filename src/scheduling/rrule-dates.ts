import rrule from 'rrule';
import {DateTime} from 'luxon';

import {MAX_ITERATIONS} from './interval-dates.js';
import type {RRuleSchedule} from './schedule.js';
import {floatingFromZoned, type ZonedTime, zonedFromFloating} from './zoned-time.js';

const {rrulestr} = rrule;

// Prefect's anchor when an rrule has no DTSTART: 2020-01-01 00:00 in the schedule's zone.
// (rrule.js ignores its dtstart option when parsing a set, so it goes into the text.)
const DEFAULT_DTSTART_LINE = 'DTSTART:20200101T000000';

// A DST fold can put a wall-clock time up to this much before its own instant; start the
// wall-clock walk that much early and filter by instant.
const FOLD_SLACK_MILLIS = 86_400_000;

/**
 * Parses the stored rrule text as a set (RRULE/RDATE/EXRULE/EXDATE) of floating times.
 * Prefect (dateutil) replaces the zone of DTSTART, UNTIL, RDATE and EXDATE with the
 * schedule's timezone, keeping their wall-clock digits; dropping TZID parameters and
 * treating every date as floating does the same.
 */
export function parseRRule(schedule: RRuleSchedule): rrule.RRuleSet {
  // A bare "FREQ=…" line is an RRULE to dateutil; rrule.js needs the name once DTSTART is added.
  const floating = schedule.rrule
    .replace(/;TZID=[^:;\n]*/gi, '')
    .replace(/(^|\n)\s*(FREQ=)/gi, '$1RRULE:$2');
  const text = /(^|\n)\s*DTSTART/i.test(floating) ? floating : `${DEFAULT_DTSTART_LINE}\n${floating}`;
  return rrulestr(text, {forceset: true}) as rrule.RRuleSet;
}

/** The first `count` rrule dates at or after `startMillis`, each placed in the schedule's zone. */
export function rruleDates(schedule: RRuleSchedule, startMillis: number, count: number): ZonedTime[] {
  const set = parseRRule(schedule);
  const zone = schedule.timezone;
  const walkFrom = floatingFromZoned(DateTime.fromMillis(startMillis - FOLD_SLACK_MILLIS, {zone}));

  const dates: ZonedTime[] = [];
  const seen = new Set<number>();
  let attempts = 0;
  set.all((floating) => {
    if (floating < walkFrom) return true;
    const time = zonedFromFloating(floating, zone);
    if (time.toMillis() >= startMillis) {
      if (!seen.has(time.toMillis())) {
        seen.add(time.toMillis());
        dates.push({time, subMillisecondMicros: 0});
      }
      attempts++;
    }
    return dates.length < count && attempts <= MAX_ITERATIONS;
  });
  return dates.slice(0, count);
}
