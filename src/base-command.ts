import {Command, Errors, Flags, type Interfaces} from '@oclif/core';

import {userMessage} from './cli/error-message.js';
import {checkInputs} from './cli/input-bounds.js';
import type {ViewFlagValues} from './cli/view-flags.js';
import type {WriteFlagValues} from './cli/write-flags.js';
import type {Database, OpenOptions} from './db/connection.js';
import type {SchemaInfo} from './db/schema-info.js';
import {resolveDatabaseTarget, type DatabaseTarget} from './db/url.js';
import {CliError, codeNameOf, ExitCode} from './errors.js';
import type {OutputFormat, RenderOptions} from './render/options.js';
import type {ProgressLine} from './render/progress.js';
import type {ProgressListener} from './services/progress.js';
import type {DetailView, ListView} from './render/view.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export interface Session {
  db: Database;
  schema: SchemaInfo;
}

/**
 * What every command shares: database selection, output format, the connection's
 * lifetime and the mapping of errors to exit codes (design §8).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static baseFlags = {
    db: Flags.string({
      description: 'database: a SQLite file path, sqlite:///…, or postgresql://user:pass@host:port/db',
      helpGroup: 'GLOBAL',
    }),
    output: Flags.option({
      char: 'o',
      description: 'output format',
      options: ['table', 'json', 'jsonl', 'csv'] as const,
      helpGroup: 'GLOBAL',
    })(),
    json: Flags.boolean({description: 'shorthand for --output json', helpGroup: 'GLOBAL'}),
    quiet: Flags.boolean({char: 'q', description: 'print ids only, one per line', helpGroup: 'GLOBAL'}),
    absolute: Flags.boolean({description: 'show absolute UTC times instead of relative ones', helpGroup: 'GLOBAL'}),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  /** Every positional argument, including those past the declared ones (`strict = false`). */
  protected positionals: string[] = [];
  private database?: Database;
  private progressLine?: ProgressLine;

  public async init(): Promise<void> {
    await super.init();
    const {args, argv, flags} = await this.parse({
      args: this.ctor.args,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: false,
      flags: this.ctor.flags,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    this.positionals = argv as string[];
    checkInputs(flags, args, this.positionals);
  }

  /**
   * The ids an inspect command was given, with "-" expanded from stdin. `several` says the
   * output must be a list, whatever number of ids stdin held.
   */
  protected async requestedIds(): Promise<{ids: string[]; several: boolean; fromStdin: boolean}> {
    const {expandStdinIds} = await import('./cli/stdin-ids.js');
    const ids = await expandStdinIds(this.positionals);
    const fromStdin = this.positionals.includes('-');
    return {ids, several: this.positionals.length > 1 || fromStdin, fromStdin};
  }

  /**
   * An empty selection (empty stdin, a filter matching nothing) is success, as `xargs -r`
   * makes it: one line on stderr, and under -o json an empty array so the shape holds.
   */
  protected reportNothingSelected(noun: string): void {
    if (this.outputFormat === 'json' && !this.flags.quiet) this.writeStdout('[]\n');
    process.stderr.write(`0 ${noun} selected; nothing to do\n`);
  }

  protected get outputFormat(): OutputFormat {
    if (this.flags?.json) return 'json';
    return (this.flags?.output as OutputFormat | undefined) ?? 'table';
  }

  protected get renderOptions(): RenderOptions {
    const noColor = 'NO_COLOR' in process.env || process.env.TERM === 'dumb';
    const tty = Boolean(process.stdout.isTTY);
    return {
      format: this.outputFormat,
      quiet: Boolean(this.flags?.quiet),
      absolute: Boolean(this.flags?.absolute),
      color: process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : tty && !noColor,
      tty,
    };
  }

  protected get databaseTarget(): DatabaseTarget {
    return resolveDatabaseTarget(this.flags.db);
  }

  /** Opens the database and reads its schema; closed again when the command ends. */
  protected async connect(options: OpenOptions = {}): Promise<Session> {
    const {openDatabase} = await import('./db/connection.js');
    const {readSchemaInfo} = await import('./db/schema-info.js');
    this.database = await openDatabase(this.databaseTarget, options);
    if (this.database.readNotice) this.warnLine(this.database.readNotice);
    const schema = await readSchemaInfo(this.database.knex, this.database.dialect);
    return {db: this.database, schema};
  }

  /** Like connect(), for commands that need an existing Prefect database. */
  protected async connectToPrefect(options: OpenOptions & {allowUnknownRevision?: boolean} = {}): Promise<Session> {
    const session = await this.connect(options);
    if (options.write) session.schema.assertWritable(options.allowUnknownRevision);
    else session.schema.assertPrefect();
    const warning = session.schema.readWarning;
    if (warning && !options.write) this.warnLine(warning);
    return session;
  }

  /**
   * Opens an existing Prefect database for a write command (one that spreads `writeFlags`):
   * refused on an unknown revision unless `--allow-unknown-revision`.
   */
  protected async connectForWrite(): Promise<Session> {
    const flags = this.flags as WriteFlagValues;
    return this.connectToPrefect({write: true, allowUnknownRevision: Boolean(flags['allow-unknown-revision'])});
  }

  /** Asks before a destructive change, below `sample` lines; passes under --yes or --dry-run (see cli/confirm.ts). */
  protected async confirm(question: string, sample?: readonly string[]): Promise<void> {
    const {confirmChange} = await import('./cli/confirm.js');
    this.progressLine?.finish();
    const flags = this.flags as WriteFlagValues;
    await confirmChange({question, sample, yes: flags.yes, dryRun: flags['dry-run']});
  }

  protected warnLine(message: string): void {
    this.progressLine?.finish();
    process.stderr.write(`Warning: ${message}\n`);
  }

  protected writeStdout(text: string): void {
    this.progressLine?.finish();
    process.stdout.write(text);
  }

  /**
   * A listener that shows progress on a stderr terminal for table output (never for JSON,
   * JSONL, CSV, --quiet or a pipe); undefined when nothing is to be shown. The line is
   * cleared before anything else is printed and when the command ends.
   */
  protected async progressListener(): Promise<ProgressListener | undefined> {
    if (this.outputFormat !== 'table' || this.flags.quiet || !process.stderr.isTTY) return undefined;
    const {ProgressLine} = await import('./render/progress.js');
    this.progressLine ??= ProgressLine.forStderr();
    return this.progressLine?.listener;
  }

  /** Clears the progress line before a message of the command's own on stderr. */
  protected clearProgress(): void {
    this.progressLine?.finish();
  }

  /** Prints a list on stdout, and on stderr whether it was empty or cut by --limit. */
  protected async printList<R extends object>(view: ListView<R>): Promise<void> {
    const {listNotice, renderList} = await import('./render/view.js');
    const flags = this.flags as ViewFlagValues;
    this.writeStdout(await renderList(view, this.renderOptions, {columns: flags.columns, fields: flags.fields, noHeader: flags['no-header']}));
    const notice = listNotice(view);
    // Under -q too: a pipeline must never act on part of a list without being told.
    if (notice) process.stderr.write(notice + "\n");
  }

  /**
   * Prints a list whose rows `produce` hands over in batches (`--all`), each written before
   * the next is read; says on stderr when it was empty.
   */
  protected async printListStream<R extends object>(
    view: Omit<ListView<R>, 'rows' | 'total'>,
    produce: (onRows: (rows: R[]) => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const [{ListStreamWriter}, {listNotice}] = await Promise.all([import('./render/list-stream.js'), import('./render/view.js')]);
    const flags = this.flags as ViewFlagValues;
    const writer = new ListStreamWriter<R>(view, this.renderOptions, {columns: flags.columns, fields: flags.fields, noHeader: flags['no-header']}, writeWithBackpressure);
    await produce((rows) => writer.add(rows));
    await writer.end();
    const notice = writer.rowsWritten === 0 ? listNotice({...view, rows: []}) : undefined;
    // Under -q too, as printList says it.
    if (notice) process.stderr.write(notice + '\n');
  }

  protected async printDetail(view: DetailView): Promise<void> {
    const {renderDetail} = await import('./render/view.js');
    this.writeStdout(await renderDetail(view, this.renderOptions));
  }

  /**
   * Prints what an inspect command found for several ids: a JSON array (even of one, so
   * the shape never depends on what stdin held), or one detail block after another.
   */
  protected async printDetails<R extends {id: string}>(records: R[], noun: string, toView: (record: R) => DetailView): Promise<void> {
    if (this.outputFormat !== 'table' || this.flags.quiet) {
      return this.printList<R>({noun, rows: records, columns: []});
    }
    for (const [index, record] of records.entries()) {
      if (index > 0) this.writeStdout('\n');
      await this.printDetail(toView(record));
    }
  }

  protected async catch(caught: Error & {oclif?: {exit?: number}; exitCode?: number}): Promise<unknown> {
    const {accessErrorOf} = await import('./db/access-errors.js');
    const error: Error & {oclif?: {exit?: number}; exitCode?: number} = accessErrorOf(caught) ?? caught;
    this.progressLine?.finish();
    const exitCode = exitCodeOf(error);
    if (error instanceof Errors.ExitError) throw error;
    const message = userMessage(error, this.argv);
    if (process.env.DEBUG && error.stack) process.stderr.write(error.stack + '\n');
    // oclif's messages put the reason on a second line ("Parsing --limit\n\tExpected an integer …"):
    // its parse errors are reworded to prefectdb's one-line style, with a did-you-mean for a mistyped flag.
    const oneLine = error instanceof CliError || !error.oclif ? message.replace(/\s*\n\s*/g, ' ') : await this.parseErrorLine(error, message);
    if (this.wantsJson()) {
      // A JSON Lines reader takes every line as a record: the error must be one line too.
      const indent = this.wantsJsonLines() ? undefined : 2;
      process.stdout.write(JSON.stringify({error: {code: codeNameOf(exitCode), message: oneLine}}, null, indent) + '\n');
    }
    // Under --json too: a script that reads stdout as data still shows the operator why it failed.
    process.stderr.write(`Error: ${oneLine}\n`);
    process.exitCode = exitCode;
    throw new Errors.ExitError(exitCode);
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    this.progressLine?.finish();
    if (this.database) {
      const {knex} = this.database;
      this.database = undefined;
      await knex.destroy();
    }
    return super.finally(error);
  }

  private async parseErrorLine(error: Error, message: string): Promise<string> {
    const {parseErrorLine} = await import('./cli/parse-error.js');
    const flags = Object.values({...(this.ctor as typeof BaseCommand).baseFlags, ...this.ctor.flags}).filter(Boolean) as Array<{name: string; char?: string}>;
    const command = [this.config.bin, ...(this.id ?? '').split(':')].join(' ').trim();
    return parseErrorLine(error, message, flags, command);
  }

  private wantsJson(): boolean {
    if (this.flags) return this.outputFormat === 'json' || this.outputFormat === 'jsonl';
    const argv = this.argv.join(' ');
    return /(^|\s)--json(\s|$)/.test(argv) || /(^|\s)(-o|--output)[ =]jsonl?(\s|$)/.test(argv);
  }

  private wantsJsonLines(): boolean {
    if (this.flags) return this.outputFormat === 'jsonl';
    return /(^|\s)(-o|--output)[ =]jsonl(\s|$)/.test(this.argv.join(' ')) && !this.argv.includes('--json');
  }
}

/** Writes to stdout and waits while the pipe is full, so a slow reader holds the producer back. */
function writeWithBackpressure(text: string): Promise<void> {
  if (text === '' || process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

function exitCodeOf(error: Error & {oclif?: {exit?: number}; exitCode?: number}): number {
  if (error instanceof CliError) return error.exitCode;
  if (error.oclif?.exit !== undefined) return error.oclif.exit;
  return ExitCode.unexpected;
}
