import {jsonText} from '../db/codecs/json-text.js';
import {csvLine} from './csv-line.js';
import {checkChoiceFitsFormat, recordKeys, type ColumnChoice} from './column-choice.js';
import type {RenderOptions} from './options.js';
import {chosenNames, csvValue, type JsonRecord, type ListView, recordsOf, renderList, type ResolvedName} from './view.js';

/**
 * Writes a list as its rows arrive, for `--all`: the same bytes renderList would print for
 * the whole list, a batch at a time, so memory holds one batch whatever the list's length.
 * JSON is written as one array, element by element. Tables need every row to size their
 * columns: they are collected and printed at the end.
 */
export class ListStreamWriter<R extends object> {
  private count = 0;
  private names?: Array<ResolvedName<R>>;
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
        const records = this.choice.fields ? await this.chosenRecords(rows, '--fields', this.choice.fields) : rows;
        if (this.options.format === 'jsonl') return this.write(records.map((row) => jsonText(row) + '\n').join(''));
        const elements = records.map((row) => '  ' + jsonText(row, 2).replaceAll('\n', '\n  '));
        return this.write((first ? '[\n' : ',\n') + elements.join(',\n'));
      }
      case 'csv': {
        const header = first && !this.choice.noHeader;
        const records = this.choice.columns ? await this.chosenRecords(rows, '--columns', this.choice.columns) : (rows as JsonRecord[]);
        this.csvKeys ??= this.names ? this.names.map((name) => name.key) : recordKeys(rows.slice(0, 1));
        const keys = this.csvKeys;
        const body = records.map((row) => csvLine(keys.map((key) => csvValue(row[key])))).join('');
        return this.write(header ? csvLine(keys) + body : body);
      }
      default:
        this.buffered.push(...rows);
    }
  }

  /** As renderList cuts records, table headings included; names are resolved against the first batch, as the whole list's first row would. */
  private async chosenRecords(rows: R[], flag: '--columns' | '--fields', wanted: string[]): Promise<JsonRecord[]> {
    this.names ??= chosenNames({columns: this.view.columns, rows}, flag, wanted);
    return recordsOf({rows}, this.names);
  }

  async end(): Promise<void> {
    if (this.options.quiet) return;
    if (this.options.format === 'json') return this.write(this.count === 0 ? '[]\n' : '\n]\n');
    if (this.options.format === 'table') return this.write(await renderList({...this.view, rows: this.buffered}, this.options, this.choice));
  }
}
