/**
 * JSON text as Python's json.dumps writes it with default arguments, which is what Prefect
 * stores in SQLite: ", " and ": " separators, non-ASCII escaped as \uXXXX, NaN/±Infinity
 * replaced by null (Prefect sanitises them before binding).
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return pythonNumber(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return quote(value);
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value instanceof PythonFloat) return value.text();
  if (Array.isArray(value)) return '[' + value.map((item) => pythonJsonDumps(item)).join(', ') + ']';
  if (value instanceof Date) return quote(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return '{' + entries.map(([k, v]) => `${quote(k)}: ${pythonJsonDumps(v)}`).join(', ') + '}';
}

/**
 * Python's float repr uses exponent notation below 1e-4 (1e-05, JS 0.00001) and pads the
 * exponent to two digits (1.5e-07, JS 1.5e-7). Non-integral numbers are floats in Python;
 * integral ones print alike in both languages as long as they are written as ints.
 */
function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (Number.isInteger(value) || Math.abs(value) >= 1e-4) return String(value);
  const [mantissa, exponent] = value.toExponential().split('e');
  return `${mantissa}e${exponent[0]}${exponent.slice(1).padStart(2, '0')}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

// Printable ASCII other than the quote and backslash: written as is, the common case.
const NEEDS_NO_ESCAPE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function quote(text: string): string {
  if (NEEDS_NO_ESCAPE.test(text)) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * A number Python holds as a float (a timedelta in seconds, a retry delay): json.dumps
 * writes 86400.0 where JavaScript would write 86400. Both codecs write it Python's way.
 */
export class PythonFloat {
  constructor(readonly value: number) {}

  text(): string {
    if (!Number.isFinite(this.value)) return 'null';
    return Number.isInteger(this.value) && Math.abs(this.value) < 1e16 ? `${this.value}.0` : pythonNumber(this.value);
  }

  /** Marks the number inside JSON.stringify output; see pythonFloatsInJson. */
  toJSON(): string {
    return `${FLOAT_MARK}${this.text()}`;
  }
}

const FLOAT_MARK = '\u0000float:';
const MARKED_FLOAT = /"\\u0000float:([^"]+)"/g;

/** Turns PythonFloat marks left by JSON.stringify back into bare numbers. */
export function pythonFloatsInJson(text: string): string {
  return text.includes('\\u0000float:') ? text.replace(MARKED_FLOAT, '$1') : text;
}
