import {DateTime, IANAZone} from 'luxon';

import {formatIsoInstant, parseInstant} from '../db/codecs/instant.js';

/**
 * A moment in a schedule's time zone. Luxon keeps milliseconds only; anchor dates carry
 * microseconds, so the sub-millisecond part rides along to keep printed times exact.
 */
// Wider than any DST shift: the offsets half a day either side bracket a transition.
const HALF_DAY_MILLIS = 43_200_000;

export interface ZonedTime {
  time: DateTime;
  /** 0 … 999 microseconds below `time`'s millisecond. */
  subMillisecondMicros: number;
}

export function isKnownTimezone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

/** Reads an ISO-8601 instant (Z or offset) into the given zone. */
export function zonedFromIso(iso: string, zone: string): ZonedTime {
  const instant = parseInstant(iso);
  const millis = instant.seconds * 1000 + Math.floor(instant.micros / 1000);
  return {time: DateTime.fromMillis(millis, {zone}), subMillisecondMicros: instant.micros % 1000};
}

/**
 * Schedule libraries below work on "floating" wall-clock times: a local date and time with
 * no zone, carried in a JS Date's UTC fields. These two functions cross that boundary.
 */
export function floatingFromZoned(time: DateTime): Date {
  return new Date(Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second, time.millisecond));
}

/**
 * Places a wall-clock time in a zone the way Python's zoneinfo does with fold=0: a time
 * that occurs twice takes the first (earlier) occurrence, a time skipped by a DST jump is
 * read with the offset from before the jump, which moves it forward by the jump. (Luxon's
 * own fromObject picks the later occurrence, hence this.)
 */
export function zonedFromFloating(floating: Date, zone: string): DateTime {
  const tz = IANAZone.create(zone);
  const wallMillis = floating.getTime();
  const offsetBefore = tz.offset(wallMillis - HALF_DAY_MILLIS);
  const offsetAfter = tz.offset(wallMillis + HALF_DAY_MILLIS);
  const valid = [offsetBefore, offsetAfter]
    .map((offset) => wallMillis - offset * 60_000)
    .filter((instant) => wallMillis - tz.offset(instant) * 60_000 === instant);
  const instant = valid.length > 0 ? Math.min(...valid) : wallMillis - offsetBefore * 60_000;
  return DateTime.fromMillis(instant, {zone});
}

/** The contract's form: UTC, six fractional digits, Z. */
export function isoOf(zoned: ZonedTime): string {
  const millis = zoned.time.toMillis();
  const seconds = Math.floor(millis / 1000);
  return formatIsoInstant({seconds, micros: (millis - seconds * 1000) * 1000 + zoned.subMillisecondMicros});
}

/** Wall-clock time with its offset in the schedule's zone, e.g. 2026-01-05 09:00:00-05:00. */
export function localLabel(iso: string, zone: string): string {
  return DateTime.fromISO(iso, {zone}).toFormat('yyyy-MM-dd HH:mm:ssZZ');
}
