/**
 * JSON text as Python's `json.dumps` writes it with its defaults: `", "` and `": "` between
 * items, every character outside printable ASCII escaped as \uXXXX. Prefect's data
 * migrations store their JSON that way; SQLite keeps the text as given, so prefectdb writes
 * the same bytes Prefect would. Numbers are written as JavaScript holds them: a Python float
 * with nothing after the point (600.0) would come out as 600.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${asciiString(key)}: ${pythonJsonDumps(item)}`);
    return `{${items.join(', ')}}`;
  }
  if (typeof value === 'string') return asciiString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return JSON.stringify(value);
  }
  throw new Error(`pythonJsonDumps: cannot write a ${typeof value}`);
}

function asciiString(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
