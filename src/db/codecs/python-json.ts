import {isLosslessNumber, pythonFloatText, pythonNumberText} from './json-text.js';

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
  if (isLosslessNumber(value)) return pythonNumberText(value);
  if (Array.isArray(value)) return '[' + value.map((item) => pythonJsonDumps(item)).join(', ') + ']';
  if (value instanceof Date) return quote(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return '{' + entries.map(([k, v]) => `${quote(k)}: ${pythonJsonDumps(v)}`).join(', ') + '}';
}

/** A JS number: integral ones are Python ints, the rest floats (kept numbers carry their own spelling). */
function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  return Number.isInteger(value) ? String(value) : pythonFloatText(value);
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
