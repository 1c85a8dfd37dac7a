/**
 * How Python prints a decoded JSON value, for the data migration whose Prefect script turns JSON
 * back into text in Python (the variables downgrade on PostgreSQL): the rows prefectdb writes
 * must read exactly as Prefect's would.
 */

/**
 * Python's `str(json.loads(jsonText))`: a string stays itself, anything else reads as Python
 * prints it (True, None, {'a': [1, 2.5]}). `jsonText` must be valid JSON.
 */
export function pythonStrOfJson(jsonText: string): string {
  const parsed = parseKeepingNumbers(jsonText);
  return typeof parsed === 'string' ? parsed : pythonRepr(parsed);
}

/** A JSON number kept as its text, so integers keep every digit (Python's int is unbounded). */
class JsonNumber {
  constructor(readonly text: string) {}
}

type PythonValue = string | boolean | null | JsonNumber | PythonValue[] | {[key: string]: PythonValue};

function parseKeepingNumbers(jsonText: string): PythonValue {
  // Every number is wrapped in a marker string first, so JSON.parse keeps its text intact.
  const marked = jsonText.replace(/("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g, (match, quoted: string | undefined) =>
    quoted === undefined ? `"\\u0000num:${match}"` : match,
  );
  return revive(JSON.parse(marked) as unknown);
}

function revive(value: unknown): PythonValue {
  if (typeof value === 'string') return value.startsWith('\u0000num:') ? new JsonNumber(value.slice(5)) : value;
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, revive(item)]));
  return value as boolean | null;
}

function pythonRepr(value: PythonValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value instanceof JsonNumber) return pythonNumber(value.text);
  if (typeof value === 'string') return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`)
    .join(', ')}}`;
}

/** json.loads makes an int of a number without fraction or exponent, a float of the rest. */
function pythonNumber(text: string): string {
  if (/^-?\d+$/.test(text)) return BigInt(text).toString();
  return pythonFloatRepr(Number(text));
}

/** repr(float): the shortest round-trip digits (as JavaScript finds them), laid out Python's way. */
function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const rest = digits.slice(1);
    return `${sign}${digits[0]}${rest ? `.${rest}` : ''}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction || '0'}`;
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
