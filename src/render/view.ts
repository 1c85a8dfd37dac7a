import {stringify} from 'csv-stringify/sync';

import {paint, stateColour} from './colour.js';
import type {RenderOptions} from './options.js';
import {renderTable} from './table.js';
import {formatDuration, formatTime} from './time.js';

export type JsonRecord = Record<string, unknown>;

/** Formats table cells the same way in every command. */
export class CellFormatter {
  constructor(private readonly options: RenderOptions) {}

  time(iso: unknown): string {
    return formatTime(iso as string | null, this.options.absolute);
  }

  duration(seconds: unknown): string {
    return formatDuration(seconds as number | null);
  }

  state(type: unknown, name?: unknown): string {
    if (!type && !name) return '';
    const label = String(name ?? type);
    return paint(label, stateColour(type as string), this.options.color);
  }

  dim(text: string): string {
    return paint(text, 'grey', this.options.color);
  }

  text(value: unknown): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  /** The first line of a long text, cut to `width` characters with an ellipsis (descriptions in lists). */
  summary(text: string | null | undefined, width = 60): string {
    const line = (text ?? '').split('\n')[0];
    return line.length > width ? line.slice(0, width - 1) + '…' : line;
  }
}

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
  idKey?: keyof R & string;
  /** How to see the rest of a cut list; "--limit N or --all for more" unless the command cuts otherwise. */
  moreHint?: string;
}

export function renderList<R extends object>(view: ListView<R>, options: RenderOptions): string {
  const idKey = view.idKey ?? 'id';
  if (options.quiet) return view.rows.map((row) => `${(row as JsonRecord)[idKey]}\n`).join('');
  switch (options.format) {
    case 'json':
      return JSON.stringify(view.rows, null, 2) + '\n';
    case 'jsonl':
      return view.rows.map((row) => JSON.stringify(row) + '\n').join('');
    case 'csv':
      return renderCsv(view.rows as JsonRecord[]);
    default: {
      if (view.rows.length === 0) return '';
      const format = new CellFormatter(options);
      const cells = view.rows.map((row) => view.columns.map((column) => column.cell(row, format)));
      return renderTable(
        view.columns.map((c) => c.header),
        cells,
        options,
      );
    }
  }
}

/** The stderr line for an empty or cut list, never stdout. */
export function listNotice<R extends object>(view: ListView<R>): string | undefined {
  if (view.total !== undefined && view.total > view.rows.length) {
    return `${view.rows.length.toLocaleString('en-US')} of ${view.total.toLocaleString('en-US')} ${view.noun}; ${view.moreHint ?? '--limit N or --all for more'}`;
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

export function renderDetail(view: DetailView, options: RenderOptions): string {
  if (options.quiet) return `${view.id}\n`;
  switch (options.format) {
    case 'json':
      return JSON.stringify(view.record, null, 2) + '\n';
    case 'jsonl':
      return JSON.stringify(view.record) + '\n';
    case 'csv':
      return renderCsv([view.record as JsonRecord]);
    default:
      return renderSections(view.sections(new CellFormatter(options)), options);
  }
}

function renderSections(sections: DetailSection[], options: RenderOptions): string {
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

function renderCsv(rows: JsonRecord[]): string {
  if (rows.length === 0) return '';
  const headers = Object.keys(rows[0]);
  const body = rows.map((row) => headers.map((key) => csvValue(row[key])));
  return stringify([headers, ...body]);
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
