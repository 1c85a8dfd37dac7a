import {usageError} from '../errors.js';
import {quoted} from '../cli/bounded.js';
import type {OutputFormat} from './options.js';

/** What the user asked to see of a list: `--columns`, `--fields`, `--no-header`. */
export interface ColumnChoice {
  columns?: string[];
  fields?: string[];
  noHeader?: boolean;
}

/** A table column's name for `--columns`: its heading in lower case, spaces as `_` ("EXPECTED START" → expected_start). */
export function columnKey(header: string): string {
  return header.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/** Every top-level key the rows have, in first-seen order. */
export function recordKeys(rows: readonly object[]): string[] {
  const keys = new Set<string>();
  for (const row of rows.slice(0, 50)) for (const key of Object.keys(row)) keys.add(key);
  return [...keys];
}

/**
 * Checks the names given against what this list offers and returns them in the order given.
 * With no rows the JSON keys are unknown: names outside the table's columns are let through
 * (there is nothing to show either way).
 */
export function chooseNames(flag: '--columns' | '--fields', wanted: string[], valid: string[], rowsKnown: boolean): string[] {
  const names = wanted.map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw usageError(`${flag} needs at least one name: use some of ${valid.join(', ')}`);
  const unknown = names.filter((name) => !valid.includes(name));
  if (unknown.length > 0 && rowsKnown) {
    throw usageError(`unknown ${flag === '--fields' ? 'field' : 'column'} ${quoted(unknown[0])}: use some of ${valid.join(', ')}`);
  }
  return [...new Set(names)];
}

/** `--columns` belongs to table/CSV output and `--fields` to JSON/JSONL: say so rather than ignore one. */
export function checkChoiceFitsFormat(choice: ColumnChoice, format: OutputFormat, quiet: boolean): void {
  if (quiet) return;
  const json = format === 'json' || format === 'jsonl';
  if (json && choice.columns) throw usageError(`--columns applies to table and csv output: use --fields with -o ${format}`);
  if (!json && choice.fields) throw usageError(`--fields applies to json and jsonl output: use --columns with -o ${format}`);
}
