import type {CellFormatter} from './cell-format.js';
import {checkChoiceFitsFormat, chooseNames, columnKey, pickFields, recordKeys, type ColumnChoice} from './column-choice.js';
import type {RenderOptions} from './options.js';

export type {CellFormatter} from './cell-format.js';
export type {ColumnChoice} from './column-choice.js';

export type JsonRecord = Record<string, unknown>;

export interface TableColumn<R> {
  header: string;
  cell: (row: R, format: CellFormatter) => string;
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
  const rowsKnown = view.rows.length > 0;
  switch (options.format) {
    case 'json':
    case 'jsonl': {
      const rows = choice.fields ? pickFields(view.rows, chooseNames('--fields', choice.fields, recordKeys(view.rows), rowsKnown)) : view.rows;
      return options.format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : rows.map((row) => JSON.stringify(row) + '\n').join('');
    }
    case 'csv': {
      const keys = choice.columns ? chooseNames('--columns', choice.columns, recordKeys(view.rows), rowsKnown) : recordKeys(view.rows.slice(0, 1));
      return renderCsv(view.rows as JsonRecord[], keys, !choice.noHeader);
    }
    default: {
      const columns = choice.columns ? chosenTableColumns(view, choice.columns) : view.columns;
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

/**
 * The table columns named by `--columns`: the list's own columns by their heading, or any
 * JSON key of its records as a plain column.
 */
function chosenTableColumns<R extends object>(view: ListView<R>, wanted: string[]): TableColumn<R>[] {
  const own = new Map(view.columns.map((column) => [columnKey(column.header), column]));
  const keys = recordKeys(view.rows);
  const valid = [...new Set([...own.keys(), ...keys])];
  return chooseNames('--columns', wanted, valid, view.rows.length > 0).map(
    (name) =>
      own.get(name) ?? {
        header: name.toUpperCase().replaceAll('_', ' '),
        cell: (row: R, format: CellFormatter) => {
          const value = (row as JsonRecord)[name];
          return looksLikeTime(name, value) ? format.time(value) : format.text(value);
        },
      },
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
      return JSON.stringify(view.record, null, 2) + '\n';
    case 'jsonl':
      return JSON.stringify(view.record) + '\n';
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
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
