/**
 * How Python prints a decoded JSON value, for the data migration whose Prefect script turns JSON
 * back into text in Python (the variables downgrade on PostgreSQL): the rows prefectdb writes
 * must read exactly as Prefect's would.
 */

import {isLosslessNumber, parseJson, pythonFloatText} from '../codecs/json-text.js';

/**
 * Python's `str(json.loads(jsonText))`: a string stays itself, anything else reads as Python
 * prints it (True, None, {'a': [1, 2.5]}). `jsonText` must be valid JSON; its numbers are
 * decoded losslessly (Python's int is unbounded).
 */
export function pythonStrOfJson(jsonText: string): string {
  const parsed = parseJson(jsonText);
  return typeof parsed === 'string' ? parsed : pythonRepr(parsed);
}

function pythonRepr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pythonNumber(String(value));
  if (isLosslessNumber(value)) return pythonNumber(value.value);
  if (typeof value === 'string') return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`)
    .join(', ')}}`;
}

/** json.loads makes an int of a number without fraction or exponent, a float of the rest. */
function pythonNumber(text: string): string {
  if (/^-?\d+$/.test(text)) return BigInt(text).toString();
  const value = Number(text);
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return pythonFloatText(value);
}

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** repr(str): single quotes unless the text holds one and no double quote; unprintables escaped. */
function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === '\\' || char === quote) out += `\\${char}`;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char !== ' ' && NOT_PRINTABLE.test(char)) {
      if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
      else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
      else out += `\\U${code.toString(16).padStart(8, '0')}`;
    } else out += char;
  }
  return out + quote;
}
