import {jsonText} from '../db/codecs/json-text.js';
import {csvLine} from './csv-line.js';
import {checkChoiceFitsFormat, chooseNames, pickFields, recordKeys, type ColumnChoice} from './column-choice.js';
import type {RenderOptions} from './options.js';
import {csvValue, type JsonRecord, type ListView, renderList} from './view.js';

/**
 * Writes a list as its rows arrive, for `--all`: the same bytes renderList would print for
 * the whole list, a batch at a time, so memory holds one batch whatever the list's length.
 * JSON is written as one array, element by element. Tables need every row to size their
 * columns: they are collected and printed at the end.
 */
export class ListStreamWriter<R extends object> {
  private count = 0;
  private fields?: string[];
  private csvKeys?: string[];
  private readonly buffered: R[] = [];

  constructor(
    private readonly view: Omit<ListView<R>, 'rows' | 'total'>,
    private readonly options: RenderOptions,
    private readonly choice: ColumnChoice,
    private readonly write: (text: string) => Promise<void>,
  ) {
    checkChoiceFitsFormat(choice, options.format, options.quiet);
  }

  get rowsWritten(): number {
    return this.count;
  }

  async add(rows: R[]): Promise<void> {
    if (rows.length === 0) return;
    const first = this.count === 0;
    this.count += rows.length;
    if (this.options.quiet) return this.write(rows.map((row) => `${(row as JsonRecord)[this.view.idKey ?? 'id']}\n`).join(''));
    switch (this.options.format) {
      case 'json':
      case 'jsonl': {
        if (this.choice.fields) this.fields ??= chooseNames('--fields', this.choice.fields, recordKeys(rows), true);
        const records = this.fields ? pickFields(rows, this.fields) : rows;
        if (this.options.format === 'jsonl') return this.write(records.map((row) => jsonText(row) + '\n').join(''));
        const elements = records.map((row) => '  ' + jsonText(row, 2).replaceAll('\n', '\n  '));
        return this.write((first ? '[\n' : ',\n') + elements.join(',\n'));
      }
      case 'csv': {
        const header = first && !this.choice.noHeader;
        this.csvKeys ??= this.choice.columns ? chooseNames('--columns', this.choice.columns, recordKeys(rows), true) : recordKeys(rows.slice(0, 1));
        const keys = this.csvKeys;
        const body = rows.map((row) => csvLine(keys.map((key) => csvValue((row as JsonRecord)[key])))).join('');
        return this.write(header ? csvLine(keys) + body : body);
      }
      default:
        this.buffered.push(...rows);
    }
  }

  async end(): Promise<void> {
    if (this.options.quiet) return;
    if (this.options.format === 'json') return this.write(this.count === 0 ? '[]\n' : '\n]\n');
    if (this.options.format === 'table') return this.write(await renderList({...this.view, rows: this.buffered}, this.options, this.choice));
  }
}
