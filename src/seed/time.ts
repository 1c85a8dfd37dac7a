import {formatIsoInstant} from '../db/codecs/instant.js';

/**
 * The generator keeps every time as integer microseconds since the Unix epoch: exact
 * arithmetic at Prefect's precision (JS Dates stop at milliseconds), and still well inside
 * Number's safe-integer range.
 */
export type Micros = number;

export const SECOND = 1_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The domain's timestamp form (ISO-8601 UTC, microseconds, Z) that the codecs encode. */
export function isoOf(micros: Micros): string {
  const seconds = Math.floor(micros / SECOND);
  return formatIsoInstant({seconds, micros: micros - seconds * SECOND});
}

export function millisOf(micros: Micros): number {
  return Math.floor(micros / 1000);
}

export function microsFromMillis(millis: number): Micros {
  return Math.round(millis) * 1000;
}

/** Rounds a duration in seconds to whole microseconds. */
export function seconds(value: number): Micros {
  return Math.round(value * SECOND);
}

/**
 * A timestamp inside JSON (state_details.scheduled_time, a schedule's anchor_date) as
 * Pydantic serialises it: ISO-8601 with Z, the fraction left out when it is zero.
 */
export function pydanticIsoOf(micros: Micros): string {
  const iso = isoOf(micros);
  return micros % SECOND === 0 ? iso.slice(0, 19) + 'Z' : iso;
}
