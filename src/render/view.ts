import {jsonText} from '../db/codecs/json-text.js';
import type {CellFormatter} from './cell-format.js';
import {checkChoiceFitsFormat, chooseNames, columnKey, recordKeys, type ColumnChoice} from './column-choice.js';
import type {RenderOptions} from './options.js';

export type {CellFormatter} from './cell-format.js';
export type {ColumnChoice} from './column-choice.js';

export type JsonRecord = Record<string, unknown>;

export interface TableColumn<R> {
  header: string;
  cell: (row: R, format: CellFormatter) => string;
  /** The JSON key this column shows, so its name means that key in every format (FLOW → flow_name). */
  key?: string;
}

export interface ListView<R extends object> {
  /** Plural noun for messages: "flow runs". */
  noun: string;
  rows: R[];
  columns: TableColumn<R>[];
  /** How many rows matched before --limit cut the list; undefined when nothing was cut. */
  total?: number;
  /** More than `total` rows matched: counting stopped at a bound rather than read them all. */
  totalIsLowerBound?: boolean;
  idKey?: keyof R & string;
  /** How to see the rest of a cut list; "--limit N or --all for more" unless the command cuts otherwise. */
  moreHint?: string;
}

/**
 * Renders a list in the format asked for, cut to the columns or fields chosen. Each format
 * loads only its own renderer (cli-table3 and luxon for tables, csv-stringify for CSV).
 */
export async function renderList<R extends object>(view: ListView<R>, options: RenderOptions, choice: ColumnChoice = {}): Promise<string> {
  const idKey = view.idKey ?? 'id';
  if (options.quiet) return view.rows.map((row) => `${(row as JsonRecord)[idKey]}\n`).join('');
  checkChoiceFitsFormat(choice, options.format, options.quiet);
  switch (options.format) {
    case 'json':
    case 'jsonl': {
      const rows = choice.fields ? await recordsOf(view, chosenNames(view, '--fields', choice.fields)) : view.rows;
      return options.format === 'json' ? jsonText(rows, 2) + '\n' : rows.map((row) => jsonText(row) + '\n').join('');
    }
    case 'csv': {
      if (!choice.columns) return renderCsv(view.rows as JsonRecord[], recordKeys(view.rows.slice(0, 1)), !choice.noHeader);
      const names = chosenNames(view, '--columns', choice.columns);
      return renderCsv(await recordsOf(view, names), names.map((name) => name.key), !choice.noHeader);
    }
    default: {
      const columns = choice.columns ? chosenNames(view, '--columns', choice.columns).map((name) => tableColumnOf(name)) : view.columns;
      if (view.rows.length === 0) return '';
      const [{CellFormatter}, {renderTable}] = await Promise.all([import('./cell-format.js'), import('./table.js')]);
      const format = new CellFormatter(options);
      const cells = view.rows.map((row) => columns.map((column) => column.cell(row, format)));
      return renderTable(
        columns.map((c) => c.header),
        cells,
        {...options, header: !choice.noHeader},
      );
    }
  }
}

/** A name of the list's one vocabulary, resolved: the JSON key it means, and the table column showing it, if any. */
export interface ResolvedName<R> {
  key: string;
  column?: TableColumn<R>;
}

/**
 * The names `--columns`, `--fields` (and, for runs, `--sort`) accept, the same in every
 * format: each JSON key of the records, and each table heading in lower case with `_`
 * (`expected_start`), which means the JSON key its column shows.
 */
export function listVocabulary<R extends object>(view: Pick<ListView<R>, 'columns' | 'rows'>): Map<string, ResolvedName<R>> {
  const names = new Map<string, ResolvedName<R>>();
  const byHeading = new Map(view.columns.map((column) => [columnKey(column.header), column]));
  const byKey = new Map(view.columns.filter((column) => column.key).map((column) => [column.key!, column]));
  // A JSON key means itself in every format; in a table it is shown by the column of that heading, else by the column showing that key.
  for (const key of recordKeys(view.rows)) names.set(key, {key, column: byHeading.get(key) ?? byKey.get(key)});
  for (const [heading, column] of byHeading) if (!names.has(heading)) names.set(heading, {key: column.key ?? heading, column});
  return names;
}

export function chosenNames<R extends object>(view: Pick<ListView<R>, 'columns' | 'rows'>, flag: '--columns' | '--fields', wanted: string[]): Array<ResolvedName<R>> {
  const vocabulary = listVocabulary(view);
  // With no rows the JSON keys are unknown: any name passes (there is nothing to show either way).
  const chosen = chooseNames(flag, wanted, [...vocabulary.keys()], view.rows.length > 0);
  return chosen.map((name) => vocabulary.get(name) ?? {key: name});
}

function tableColumnOf<R extends object>(name: ResolvedName<R>): TableColumn<R> {
  return (
    name.column ?? {
      header: name.key.toUpperCase().replaceAll('_', ' '),
      cell: (row: R, format: CellFormatter) => {
        const value = (row as JsonRecord)[name.key];
        return looksLikeTime(name.key, value) ? format.time(value) : format.text(value);
      },
    }
  );
}

/**
 * Records cut to the chosen names, keyed by the JSON key each means. A table column that
 * shows no single key (a derived cell) is given as its plain text, absolute times included.
 */
export async function recordsOf<R extends object>(view: Pick<ListView<R>, 'rows'>, names: Array<ResolvedName<R>>): Promise<JsonRecord[]> {
  const derived = names.filter((name) => name.column && !name.column.key && !(view.rows.length > 0 && name.key in view.rows[0]));
  const format = derived.length > 0 ? new (await import('./cell-format.js')).CellFormatter({format: 'table', quiet: false, absolute: true, color: false, tty: false}) : undefined;
  return view.rows.map((row) =>
    Object.fromEntries(
      names.map((name) => [name.key, derived.includes(name) ? name.column!.cell(row, format!) : ((row as JsonRecord)[name.key] ?? null)]),
    ),
  );
}

function looksLikeTime(key: string, value: unknown): boolean {
  return typeof value === 'string' && /(^|_)(time|created|updated|timestamp)$/.test(key) && /^\d{4}-\d\d-\d\dT/.test(value);
}

/** The stderr line for an empty or cut list, never stdout. */
export function listNotice<R extends object>(view: ListView<R>): string | undefined {
  if (view.total !== undefined && view.total > view.rows.length) {
    const total = `${view.totalIsLowerBound ? 'more than ' : ''}${view.total.toLocaleString('en-US')}`;
    return `${view.rows.length.toLocaleString('en-US')} of ${total} ${view.noun}; ${view.moreHint ?? '--limit N or --all for more'}`;
  }
  if (view.rows.length === 0) return `no ${view.noun} found`;
  return undefined;
}

export type DetailSection =
  | {title?: string; fields: Array<[label: string, value: string]>}
  | {title: string; headers: string[]; rows: string[][]; empty?: string};

export interface DetailView {
  id: string;
  record: object;
  sections: (format: CellFormatter) => DetailSection[];
}

export async function renderDetail(view: DetailView, options: RenderOptions): Promise<string> {
  if (options.quiet) return `${view.id}\n`;
  switch (options.format) {
    case 'json':
      return jsonText(view.record, 2) + '\n';
    case 'jsonl':
      return jsonText(view.record) + '\n';
    case 'csv':
      return renderCsv([view.record as JsonRecord], Object.keys(view.record), true);
    default: {
      const {CellFormatter} = await import('./cell-format.js');
      return renderSections(view.sections(new CellFormatter(options)), options);
    }
  }
}

async function renderSections(sections: DetailSection[], options: RenderOptions): Promise<string> {
  const [{paint}, {renderTable}] = await Promise.all([import('./colour.js'), import('./table.js')]);
  const blocks: string[] = [];
  for (const section of sections) {
    const title = section.title ? paint(section.title, 'bold', options.color) + '\n' : '';
    if ('fields' in section) {
      const width = Math.max(0, ...section.fields.map(([label]) => label.length));
      blocks.push(title + section.fields.map(([label, value]) => `${(label + ':').padEnd(width + 2)}${value}`.trimEnd()).join('\n') + '\n');
    } else if (section.rows.length === 0) {
      blocks.push(title + `  ${section.empty ?? '(none)'}\n`);
    } else {
      blocks.push(title + renderTable(section.headers, section.rows, options));
    }
  }
  return blocks.join('\n');
}

async function renderCsv(rows: JsonRecord[], keys: string[], header: boolean): Promise<string> {
  if (rows.length === 0) return '';
  const {stringify} = await import('csv-stringify/sync');
  const body = rows.map((row) => keys.map((key) => csvValue(row[key])));
  return stringify(header ? [keys, ...body] : body);
}

export function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return jsonText(value);
  return String(value);
}
