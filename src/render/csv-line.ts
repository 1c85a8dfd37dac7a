// A field is quoted when it holds a quote, the delimiter or a line break; quotes inside double.
const NEEDS_QUOTES = /[",\n\r]/;

/**
 * One CSV record, as csv-stringify writes it with its default options (the renderer of short
 * lists), for the streamed lists: that library builds several objects per field, which at a
 * million rows costs more than reading them. test/render/csv-line.test.ts holds both to the same text.
 */
export function csvLine(fields: readonly string[]): string {
  let line = '';
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index];
    if (index > 0) line += ',';
    line += NEEDS_QUOTES.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
  }
  return line + '\n';
}
