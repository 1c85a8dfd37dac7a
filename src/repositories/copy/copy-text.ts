const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** One row in COPY's text format: tab-separated, \N for NULL, backslash escapes. */
export function copyTextLine(row: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += '\t';
    line += copyTextValue(row[i]);
  }
  return line + '\n';
}

function copyTextValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string':
      return NEEDS_ESCAPE.test(value) ? escape(value) : value;
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
    case 'bigint':
      return String(value);
    default:
      return escape(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}

function escape(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
}
