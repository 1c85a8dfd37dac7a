import {isLosslessNumber, LosslessNumber, parse, stringify} from 'lossless-json';

/**
 * JSON text ⇄ values without changing a number. Python writes integers of any size and
 * floats as `1.0`; a JS number would round the first and drop the second's `.0`. A number
 * whose text a JS number prints back unchanged is decoded as a plain number (what nearly
 * every value is, and what the engine and scheduler compute with); any other is kept as a
 * LosslessNumber holding its text, which every encoder and the output writes back as is.
 */

export {isLosslessNumber, LosslessNumber};

/** A JSON number as decoded: a plain number, or the text of one a plain number would change. */
export type JsonNumber = number | LosslessNumber;

function decodeNumber(text: string): JsonNumber {
  const value = Number(text);
  return String(value) === text ? value : new LosslessNumber(text);
}

// Every number token outside a string follows one of these (or is the whole text); a token
// inside a string that happens to match only sends the text down the slower path.
const NUMBER_TOKEN = /[:,[]\s*(-?\d[\d.eE+-]*)/g;
const SCALAR_NUMBER = /^\s*-?\d/;

// A token JSON.parse could change: one with a fraction or exponent, -0, or 16+ digits (an
// integer of up to 15 digits always reads back as itself). Matches inside strings are harmless.
const SUSPECT_NUMBER = /[:,[]\s*(?:-?\d+[.eE]|-0|-?\d{16})/;

/** True when JSON.parse gives every number of `text` exactly (the common case, several times faster). */
function plainNumbersOnly(text: string): boolean {
  if (SCALAR_NUMBER.test(text)) return false;
  // One scan without captures settles nearly every text (a time inside a string, "…T01:10:00Z",
  // is no number); only a suspect token needs each number compared with its text.
  if (!SUSPECT_NUMBER.test(text)) return true;
  NUMBER_TOKEN.lastIndex = 0;
  for (let match = NUMBER_TOKEN.exec(text); match !== null; match = NUMBER_TOKEN.exec(text)) {
    const token = match[1];
    if (String(Number(token)) !== token) return false;
  }
  return true;
}

function parseLossless(text: string): unknown {
  return plainNumbersOnly(text) ? JSON.parse(text) : parse(text, null, decodeNumber);
}

/** Parses JSON text given by a user losslessly; throws a SyntaxError on anything that is not JSON. */
export function parseJson(text: string): unknown {
  return parseLossless(text);
}

/** Parses stored JSON text losslessly, tolerating the bare NaN/Infinity tokens Python can emit (as null). */
export function parseJsonText(text: string): unknown {
  try {
    return parseLossless(text);
  } catch (error) {
    const repaired = text.replace(/(?<=[:\[,]\s*)-?(?:NaN|Infinity)(?=\s*[,\]}])/g, 'null');
    if (repaired === text) throw error;
    return parseLossless(repaired);
  }
}

// What JSON.stringify writes for a kept number, which it takes for a plain object.
const KEPT_NUMBER_AS_OBJECT = '"isLosslessNumber":';

/** JSON text for output (JSON.stringify's layout), every kept number written as its own text. */
export function jsonText(value: unknown, space?: number): string {
  // The native writer is several times faster and writes the same text when the value holds
  // no kept number and no bigint (it throws on those); only then is the lossless one needed.
  // A string containing the marker is escaped (\"isLosslessNumber\":), so cannot match it.
  try {
    const text = JSON.stringify(value, null, space);
    if (text !== undefined && !text.includes(KEPT_NUMBER_AS_OBJECT)) return text;
  } catch {
    // a bigint: the lossless writer spells it out
  }
  return stringify(value, null, space) ?? 'null';
}

/** A value Python holds as a float (a timedelta's seconds, a retry delay): written `86400.0`. */
export function pythonFloat(value: number): LosslessNumber {
  return new LosslessNumber(pythonFloatText(value));
}

/** The number a decoded JSON number stands for (null for anything else or a non-finite one). */
export function numberValue(value: unknown): number | null {
  const number = isLosslessNumber(value) ? Number(value.value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : null;
}

/** A JSON object (a kept number is an object to JS, not to JSON). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);
}

/**
 * A deep copy of a decoded JSON value. structuredClone would turn a kept number into a
 * plain object ({value, isLosslessNumber}); kept numbers are immutable and are shared.
 */
export function copyJson<T>(value: T): T {
  if (isLosslessNumber(value) || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, copyJson(inner)])) as T;
}

/** A copy holding plain numbers only, for code that checks `typeof === 'number'` (JSON Schema validation). */
export function withPlainNumbers(value: unknown): unknown {
  if (isLosslessNumber(value)) return Number(value.value);
  if (Array.isArray(value)) return value.map(withPlainNumbers);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withPlainNumbers(inner)]));
  }
  return value;
}

/**
 * Python's repr of a float, which json.dumps writes: the shortest digits that read back
 * the same (as JS), fixed notation with at least one fractional digit for exponents −4 to
 * 15, else `d.ddde±XX` with at least two exponent digits. Non-finite values are null.
 */
export function pythonFloatText(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const shown = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${shown}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.padEnd(exponent + 1, '0').slice(0, exponent + 1);
  return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
}

/**
 * A kept number as Python's json.dumps writes what json.loads made of it: an integer's
 * digits exactly (any size), a float through Python's float (rounded to double, repr).
 */
export function pythonNumberText(number: LosslessNumber): string {
  const text = number.value;
  if (/^-?\d+$/.test(text)) return /^-0+$/.test(text) ? '0' : text;
  return pythonFloatText(Number(text));
}

/**
 * A comparison key for JSON values: object keys sorted (jsonb keeps its own order) and every
 * number as its exact decimal value, so 1.0, 1 and 1e0 match (jsonb writes 1e+22 as 1 and
 * 22 zeros) while 9007199254740993 and 9007199254740992 do not.
 */
export function canonicalJson(value: unknown): string {
  return stringify(value, (_key, inner) => {
    if (typeof inner === 'number' || isLosslessNumber(inner)) return new LosslessNumber(decimalKey(String(inner)));
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return inner;
  }) ?? 'null';
}

/** A number's text as `[-]d.ddde±N` with no redundant digit (a valid JSON number). */
function decimalKey(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  const trimmed = digits.replace(/0+$/, '');
  const power = Number(exponent) + whole.length - 1 - (whole + fraction).length + digits.length;
  return `${sign}${trimmed[0]}${trimmed.length > 1 ? '.' + trimmed.slice(1) : ''}e${power}`;
}
