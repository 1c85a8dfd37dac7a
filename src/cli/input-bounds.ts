import {usageError} from '../errors.js';
import {quoted} from './bounded.js';

/** The longest value any flag or argument may carry (JSON documents included). */
export const MAX_VALUE_CHARS = 65_536;
/** Integers go to both drivers as 32-bit values at most (PostgreSQL int4 limits, offsets). */
export const MAX_INTEGER = 2_147_483_647;

// C0/C1 control characters and NUL: PostgreSQL rejects NUL in text, and none of them belongs
// in a name, id, filter or URL. Tab and newline are allowed (messages, JSON documents).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Checks every parsed flag and argument before a command uses it (issue 9): strings bounded
 * and free of control characters, numbers finite safe integers within 32 bits. oclif has
 * already checked types, options and declared min/max.
 */
export function checkInputs(flags: Record<string, unknown>, args: Record<string, unknown>, positionals: readonly string[]): void {
  for (const [name, value] of Object.entries(flags)) checkValue(`--${name}`, value);
  for (const [name, value] of Object.entries(args)) checkValue(name.toUpperCase(), value);
  for (const value of positionals) checkValue('an argument', value);
}

function checkValue(label: string, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) checkValue(label, item);
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || Math.abs(value) > MAX_INTEGER) {
      throw usageError(`${label} ${quoted(String(value))} is out of range: use a whole number up to ${MAX_INTEGER.toLocaleString('en-US')}`);
    }
    return;
  }
  if (typeof value !== 'string') return;
  if (value.length > MAX_VALUE_CHARS) {
    throw usageError(`${label} is too long (${value.length.toLocaleString('en-US')} characters; at most ${MAX_VALUE_CHARS.toLocaleString('en-US')}): ${quoted(value)}`);
  }
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw usageError(`${label} contains a control character (U+${code}) at position ${control.index + 1}: ${quoted(value)}`);
  }
}
