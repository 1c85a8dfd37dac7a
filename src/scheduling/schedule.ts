import {isJsonObject, numberValue} from '../db/codecs/json-text.js';

/**
 * The three schedule shapes Prefect stores in deployment_schedule.schedule (and, before
 * 2.16, in deployment.schedule). Prefect's union is untagged: the key set names the type.
 */
export type Schedule = IntervalSchedule | CronSchedule | RRuleSchedule | UnknownSchedule;

export interface IntervalSchedule {
  kind: 'interval';
  /** Seconds, > 0 (Prefect serialises its timedelta as float seconds). */
  interval: number;
  /** ISO-8601 instant the steps are counted from. */
  anchorDate: string;
  timezone: string;
}

export interface CronSchedule {
  kind: 'cron';
  cron: string;
  timezone: string;
  /** true: day-of-month OR day-of-week (classic cron); false: both must match. */
  dayOr: boolean;
}

export interface RRuleSchedule {
  kind: 'rrule';
  rrule: string;
  timezone: string;
}

/** Anything else: shown as stored, no run times computed. */
export interface UnknownSchedule {
  kind: 'unknown';
  raw: unknown;
}

// Prefect computes in UTC when a schedule carries no timezone (a null in stored JSON).
const DEFAULT_TIMEZONE = 'UTC';

function timezoneOf(value: Record<string, unknown>): string {
  return typeof value.timezone === 'string' && value.timezone ? value.timezone : DEFAULT_TIMEZONE;
}

/** Reads a stored schedule object into one of the shapes above; never throws. */
export function parseSchedule(value: unknown): Schedule {
  if (!isJsonObject(value)) return {kind: 'unknown', raw: value};
  const fields = value as Record<string, unknown>;
  // Python stores the interval as a float's text (3600.0), which decodes as a kept number.
  const interval = numberValue(fields.interval);
  if (interval !== null && interval > 0 && typeof fields.anchor_date === 'string') {
    return {kind: 'interval', interval, anchorDate: fields.anchor_date, timezone: timezoneOf(fields)};
  }
  if (typeof fields.cron === 'string') {
    // day_or defaults to true in Prefect's model; old rows may lack the key.
    return {kind: 'cron', cron: fields.cron, timezone: timezoneOf(fields), dayOr: fields.day_or !== false};
  }
  if (typeof fields.rrule === 'string') {
    return {kind: 'rrule', rrule: fields.rrule, timezone: timezoneOf(fields)};
  }
  return {kind: 'unknown', raw: value};
}
