import {addSeconds, formatIsoInstant, instantFromMillis, parseInstant} from '../db/codecs/instant.js';
import {usageError} from '../errors.js';
import {quoted} from './bounded.js';

const UNIT_SECONDS: Record<string, number> = {s: 1, m: 60, h: 3600, d: 86400, w: 604800};
// An age beyond this is a typo, and dates far enough out cannot be computed at all.
const MAX_OFFSET_SECONDS = 1000 * 365 * 86_400;

/**
 * Reads a time given on the command line: ISO-8601 ("2026-01-31", "2026-01-31T12:00:00Z"),
 * "now", or an offset from now ("30m", "2h", "7d" mean that long ago; "+1h" is ahead).
 * Returns the contract's ISO form.
 */
export function parseTimeInput(text: string, now: number = Date.now()): string {
  const value = text.trim();
  if (value.toLowerCase() === 'now') return formatIsoInstant(instantFromMillis(now));
  const relative = /^([+-])?(\d+(?:\.\d+)?)([smhdw])$/i.exec(value);
  if (relative) {
    const [, sign, amount, unit] = relative;
    const seconds = Number(amount) * UNIT_SECONDS[unit.toLowerCase()] * (sign === '+' ? 1 : -1);
    if (!(Math.abs(seconds) <= MAX_OFFSET_SECONDS)) {
      throw usageError(`time ${quoted(text)} is too far from now: an age is at most ${MAX_OFFSET_SECONDS / 86_400 / 365} years`);
    }
    return formatIsoInstant(addSeconds(instantFromMillis(now), seconds));
  }
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  try {
    return formatIsoInstant(parseInstant(dateOnly));
  } catch {
    throw usageError(`invalid time ${quoted(text)}: use ISO-8601 (2026-01-31T12:00:00Z), "now", or an age such as 30m, 2h, 7d`);
  }
}
