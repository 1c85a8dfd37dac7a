import {usageError} from '../../errors.js';

/**
 * A UTC instant with microsecond precision. JS Dates stop at milliseconds, and Prefect's
 * timestamps carry microseconds that matter for ordering and the unique state index.
 */
export interface Instant {
  /** Whole seconds since the Unix epoch. */
  seconds: number;
  /** 0 … 999999 */
  micros: number;
}

const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

// The contract's ISO form and Prefect's SQLite form (six fractional digits, UTC), which nearly
// every value read is in: read by position, without the general pattern's captures.
const CANONICAL_PATTERN = /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z?$/;

// PostgreSQL's timestamptz text in a UTC session: trailing zeros of the fraction dropped, "+00".
const POSTGRES_UTC_PATTERN = /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?\+00$/;

/** Parses ISO-8601 or SQL timestamps; a value without an offset is taken as UTC, as Prefect stores it. */
export function parseInstant(text: string): Instant {
  const canonical = CANONICAL_PATTERN.test(text);
  if (canonical || POSTGRES_UTC_PATTERN.test(text)) {
    const day = +text.slice(8, 10);
    const millis = Date.UTC(+text.slice(0, 4), +text.slice(5, 7) - 1, day, +text.slice(11, 13), +text.slice(14, 16), +text.slice(17, 19));
    const micros = canonical ? +text.slice(20, 26) : text[19] === '.' ? +(text.slice(20, -3) + '00000').slice(0, 6) : 0;
    // Past the 28th the day may not exist in that month: the general path says so.
    if (day <= 28 || new Date(millis).getUTCDate() === day) return {seconds: millis / 1000, micros};
  }
  const match = TIMESTAMP_PATTERN.exec(text.trim());
  if (!match) throw usageError(`invalid timestamp "${text}": expected ISO-8601 such as 2026-01-31T12:00:00Z`);
  const [, year, month, day, hour, minute, second = '0', fraction = '', offset] = match;
  const millis = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  // Date.UTC rolls out-of-range fields over (Feb 30 → Mar 1): reject dates that do not exist.
  const date = new Date(millis);
  const exists =
    date.getUTCFullYear() === +year && date.getUTCMonth() === +month - 1 && date.getUTCDate() === +day && +hour < 24 && +minute < 60 && +second < 60;
  if (!exists) throw usageError(`invalid timestamp "${text}"`);
  const micros = Number((fraction + '000000').slice(0, 6));
  return {seconds: millis / 1000 - offsetSeconds(offset), micros};
}

function offsetSeconds(offset: string | undefined): number {
  if (!offset || offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  return sign * (hours * 3600 + minutes * 60);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** "00" … "99": formatting reads two digits at a time from here (lists and the doctor format millions). */
const TWO_DIGITS = Array.from({length: 100}, (_, n) => String(n).padStart(2, '0'));

function datePart(instant: Instant, separator: string): string {
  const {seconds, micros} = instant;
  const days = Math.floor(seconds / 86_400);
  const civil = civilDate(days);
  if (!Number.isInteger(seconds) || !Number.isInteger(micros) || micros < 0 || micros > 999_999 || civil.year < 1000 || civil.year > 9999) return datePartOfDate(instant, separator);
  const ofDay = seconds - days * 86_400;
  const minutes = Math.floor(ofDay / 60);
  return (
    `${TWO_DIGITS[Math.floor(civil.year / 100)]}${TWO_DIGITS[civil.year % 100]}-${TWO_DIGITS[civil.month]}-${TWO_DIGITS[civil.day]}` +
    `${separator}${TWO_DIGITS[Math.floor(minutes / 60)]}:${TWO_DIGITS[minutes % 60]}:${TWO_DIGITS[ofDay % 60]}` +
    `.${TWO_DIGITS[Math.floor(micros / 10_000)]}${TWO_DIGITS[Math.floor(micros / 100) % 100]}${TWO_DIGITS[micros % 100]}`
  );
}

/**
 * The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
 * civil_from_days, public domain): arithmetic only, no Date object per value.
 */
function civilDate(days: number): {year: number; month: number; day: number} {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return {year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

/** The general path, for instants outside four-digit years or with odd parts. */
function datePartOfDate(instant: Instant, separator: string): string {
  const d = new Date(instant.seconds * 1000);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `${separator}${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(instant.micros, 6)}`
  );
}

/** 2026-01-31T12:00:00.123456Z — the output contract's form. */
export function formatIsoInstant(instant: Instant): string {
  return datePart(instant, 'T') + 'Z';
}

/** 2026-01-31 12:00:00.123456 — Prefect's SQLite form (naive UTC, always six digits). */
export function formatSqliteInstant(instant: Instant): string {
  return datePart(instant, ' ');
}

export function instantFromMillis(millis: number): Instant {
  const seconds = Math.floor(millis / 1000);
  return {seconds, micros: Math.round((millis - seconds * 1000) * 1000)};
}

export function addSeconds(instant: Instant, seconds: number): Instant {
  const totalMicros = instant.micros + Math.round(seconds * 1e6);
  const carry = Math.floor(totalMicros / 1e6);
  return {seconds: instant.seconds + carry, micros: totalMicros - carry * 1e6};
}

/**
 * An ISO µs Z instant as Pydantic's JSON mode writes a UTC datetime inside JSON columns
 * (state_details, schedules): the fraction only when it is not zero.
 */
export function pydanticUtcText(iso: string): string {
  return iso.replace(/\.000000Z$/, 'Z');
}

let lastNowMicros = 0;

/**
 * The current time with microseconds (performance's clock carries sub-millisecond digits),
 * strictly later than any earlier answer in this process: two writes of one run taken one
 * after the other can never share an instant, which the (run, timestamp) unique index forbids.
 */
export function nowInstant(): Instant {
  const clock = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const micros = (lastNowMicros = Math.max(clock, lastNowMicros + 1));
  return {seconds: Math.floor(micros / 1e6), micros: micros % 1e6};
}

export function nowIso(): string {
  return formatIsoInstant(nowInstant());
}
