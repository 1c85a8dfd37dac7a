import {pythonFloat} from '../db/codecs/json-text.js';
import {formatIsoInstant, parseInstant, pydanticUtcText} from '../db/codecs/instant.js';
import {usageError} from '../errors.js';
import {parseCron} from './cron-dates.js';
import {parseRRule} from './rrule-dates.js';
import {isKnownTimezone} from './zoned-time.js';

export type ScheduleSpec =
  | {kind: 'interval'; seconds: number; anchorDate?: string; timezone?: string}
  | {kind: 'cron'; cron: string; dayOr: boolean; timezone?: string}
  | {kind: 'rrule'; rrule: string; timezone?: string};

const MAX_RRULE_LENGTH = 6500;

/**
 * The schedule JSON Prefect stores for a new schedule (behaviour.md §2.4), after Prefect's
 * own validation: positive interval, readable cron without R/H, readable rrule of at most
 * 6500 characters, IANA time zone. Invalid input → exit 2 naming the problem.
 * `normalizeRRule`: from 3.7 on, an rrule without DTSTART is stored with one.
 */
export function scheduleJson(spec: ScheduleSpec, nowMillis: number, options: {normalizeRRule: boolean}): Record<string, unknown> {
  if (spec.timezone !== undefined && !isKnownTimezone(spec.timezone)) {
    throw usageError(`invalid time zone "${spec.timezone.slice(0, 40)}": give an IANA name such as America/New_York`);
  }
  switch (spec.kind) {
    case 'interval': {
      if (!(spec.seconds > 0)) throw usageError('--interval must be a positive number of seconds');
      const anchor = spec.anchorDate === undefined ? formatIsoInstant(instantOf(nowMillis)) : formatIsoInstant(parseInstant(spec.anchorDate));
      return {interval: pythonFloat(spec.seconds), anchor_date: pydanticUtcText(anchor), timezone: spec.timezone ?? 'UTC'};
    }
    case 'cron': {
      if (spec.cron.split(/\s+/).some((field) => ['r', 'h'].includes(field.toLowerCase()))) {
        throw usageError(`random and hashed cron expressions are not supported (got "${spec.cron.slice(0, 40)}")`);
      }
      try {
        parseCron({kind: 'cron', cron: spec.cron, dayOr: spec.dayOr, timezone: 'UTC'});
      } catch (error) {
        throw usageError(`invalid cron "${spec.cron.slice(0, 40)}": ${(error as Error).message}`);
      }
      return {cron: spec.cron, timezone: spec.timezone ?? null, day_or: spec.dayOr};
    }
    case 'rrule': {
      const timezone = spec.timezone ?? 'UTC';
      if (spec.rrule.length > MAX_RRULE_LENGTH) throw usageError(`the rrule is ${spec.rrule.length} characters long; Prefect allows ${MAX_RRULE_LENGTH}`);
      try {
        const set = parseRRule({kind: 'rrule', rrule: spec.rrule, timezone});
        set.rrules().forEach((rule) => rule.options);
      } catch (error) {
        throw usageError(`invalid rrule "${spec.rrule.slice(0, 40)}": ${(error as Error).message}`);
      }
      const rrule = options.normalizeRRule ? withDtstart(spec.rrule, timezone, nowMillis) : spec.rrule;
      return {rrule, timezone};
    }
  }
}

function instantOf(millis: number) {
  const seconds = Math.floor(millis / 1000);
  return {seconds, micros: (millis - seconds * 1000) * 1000};
}

const DEFAULT_ANCHOR_MILLIS = Date.UTC(2020, 0, 1);

/**
 * Prefect's normalize_rrule_string: a rule with no DTSTART gets a floating one. A single
 * SECONDLY or MINUTELY rule without COUNT is anchored at the latest whole period since
 * 2020-01-01 not after now (wall clock in the schedule's zone); anything else at 2020-01-01.
 */
function withDtstart(text: string, timezone: string, nowMillis: number): string {
  if (text.toUpperCase().includes('DTSTART')) return text;
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const single = lines.length === 1 && !/^(RDATE|EXDATE|EXRULE)/i.test(lines[0]);
  const rule = single ? lines[0].replace(/^RRULE:/i, '') : '';
  const fields = new Map(rule.split(';').map((part) => part.split('=') as [string, string]).map(([k, v]) => [k?.toUpperCase(), v?.toUpperCase()]));
  const freq = fields.get('FREQ');
  let anchor = DEFAULT_ANCHOR_MILLIS;
  if (single && (freq === 'SECONDLY' || freq === 'MINUTELY') && !fields.has('COUNT')) {
    const period = (freq === 'SECONDLY' ? 1000 : 60_000) * Number(fields.get('INTERVAL') ?? 1);
    const wallNow = wallClockMillis(nowMillis, timezone);
    if (wallNow > DEFAULT_ANCHOR_MILLIS) anchor = DEFAULT_ANCHOR_MILLIS + Math.floor((wallNow - DEFAULT_ANCHOR_MILLIS) / period) * period;
  }
  const stamp = new Date(anchor).toISOString().slice(0, 19).replace(/[-:]/g, '');
  return `DTSTART:${stamp}\n${text}`;
}

/** The wall-clock time in `zone` at `millis`, as if it were UTC (a floating time). */
function wallClockMillis(millis: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(millis));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}
