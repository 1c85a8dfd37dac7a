import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';
import type {Database} from '../../db/connection.js';
import type {CopyReport} from '../../services/database-copy/copy-database.js';

export default class DbCopy extends BaseCommand<typeof DbCopy> {
  static summary = 'Copy a whole Prefect database into another one: SQLite ⇄ PostgreSQL, either direction';

  static description =
    'Copies every table, alembic_version included, with every value converted to what Prefect writes on the target dialect. ' +
    'The target must be empty: a missing SQLite file or empty PostgreSQL database gets the head schema when the source is at the head; ' +
    'for an older source, build the target with the schema of the source\'s Prefect release first. ' +
    'Ends by comparing row counts (and, with --verify, every row\'s decoded values). Exit 6 when rows were refused or do not match.';

  static examples = [
    '<%= config.bin %> db copy ~/.prefect/prefect.db postgresql://prefect:secret@localhost:5432/prefect',
    '<%= config.bin %> db copy ./prefect.db postgresql://prefect@db/prefect --resume --verify',
    '<%= config.bin %> db copy postgresql://prefect@db/prefect ./backup.db --json',
  ];

  static args = {
    source: Args.string({description: 'database to copy from (file path, sqlite:///…, postgresql://…)', required: true}),
    target: Args.string({description: 'database to copy into; a SQLite file is created if missing', required: true}),
  };

  static flags = {
    ...writeFlags,
    append: Flags.boolean({description: 'copy into a target that holds rows: rows whose ids exist are skipped and counted', exclusive: ['resume']}),
    resume: Flags.boolean({description: 'finish an interrupted copy of the same source: complete tables are checked by count and skipped', exclusive: ['append']}),
    verify: Flags.boolean({description: "also compare every row's decoded values (a checksum per table) and name the rows that differ"}),
  };

  async run(): Promise<void> {
    const {existsSync, rmSync} = await import('node:fs');
    const path = await import('node:path');
    const {openDatabase} = await import('../../db/connection.js');
    const {readSchemaInfo, SchemaInfo} = await import('../../db/schema-info.js');
    const {resolveDatabaseTarget} = await import('../../db/url.js');
    const {usageError, refusedError} = await import('../../errors.js');
    const {copyDatabase} = await import('../../services/database-copy/copy-database.js');
    const {flags} = this;

    const sourceTarget = resolveDatabaseTarget(this.args.source);
    const targetTarget = resolveDatabaseTarget(this.args.target);
    const place = (t: typeof sourceTarget) => (t.dialect === 'sqlite' ? path.resolve(t.filename) : t.connectionString);
    if (place(sourceTarget) === place(targetTarget)) throw usageError('source and target are the same database: name two different ones');

    const opened: Database[] = [];
    let createdFile: string | undefined;
    try {
      const source = await openDatabase(sourceTarget);
      opened.push(source);
      if (source.readNotice) this.warnLine(source.readNotice);
      const sourceSchema = await readSchemaInfo(source.knex, source.dialect);
      sourceSchema.assertPrefect();
      if (!sourceSchema.known && !flags['allow-unknown-revision']) {
        throw refusedError(`the source's alembic revision ${sourceSchema.revision ?? '(none)'} is unknown to prefectdb (pass --allow-unknown-revision to copy anyway)`);
      }
      const targetMissing = targetTarget.dialect === 'sqlite' && !existsSync(targetTarget.filename);
      let target: {db?: Database; schema: InstanceType<typeof SchemaInfo>};
      if (targetMissing && flags['dry-run']) {
        target = {schema: new SchemaInfo('sqlite', new Map(), null)};
      } else {
        const db = await openDatabase(targetTarget, {write: true, create: true});
        opened.push(db);
        if (targetMissing && targetTarget.dialect === 'sqlite') createdFile = targetTarget.filename;
        target = {db, schema: await readSchemaInfo(db.knex, db.dialect)};
      }
      const report = await copyDatabase({
        source: {db: source, schema: sourceSchema},
        target,
        mode: flags.append ? 'append' : flags.resume ? 'resume' : 'fresh',
        verify: flags.verify,
        dryRun: flags['dry-run'],
        onProgress: await this.progressListener(),
        confirm: (question) => this.confirm(question),
      });
      this.clearProgress();
      createdFile = undefined;
      this.print(report);
      if (!report.verified && !report.dry_run) this.exit(6);
    } finally {
      for (const db of opened) await db.knex.destroy();
      // A refused copy leaves no new file behind.
      if (createdFile) for (const suffix of ['', '-wal', '-shm']) rmSync(createdFile + suffix, {force: true});
    }
  }

  private print(report: CopyReport): void {
    if (this.outputFormat !== 'table') {
      this.writeStdout(JSON.stringify(report, null, 2) + '\n');
      return;
    }
    const rows = Object.entries(report.tables).map(([table, counts]) => ({table, ...counts}));
    const width = Math.max(5, ...rows.map((r) => r.table.length));
    const line = (cells: string[]) => cells[0].padEnd(width) + cells.slice(1).map((c) => c.padStart(12)).join('') + '\n';
    let text = line(['TABLE', 'SOURCE', 'COPIED', 'SKIPPED']);
    for (const r of rows) text += line([r.table, r.source.toLocaleString('en-US'), r.copied.toLocaleString('en-US'), r.skipped.toLocaleString('en-US')]);
    this.writeStdout(text);
    for (const row of report.rejected.slice(0, 50)) process.stderr.write(`refused: ${row.table} ${row.id}: ${row.reason}\n`);
    if (report.rejected.length > 50) process.stderr.write(`… and ${report.rejected.length - 50} more refused rows (-o json lists them all)\n`);
    for (const [table, comparison] of Object.entries(report.checksums ?? {})) {
      if (comparison.differing_count > 0) process.stderr.write(`differs: ${table}: ${comparison.differing_count} row(s), e.g. ${comparison.differing.slice(0, 5).join(', ')}\n`);
    }
    if (report.count_mismatches.length > 0) process.stderr.write(`row counts differ: ${report.count_mismatches.join(', ')}\n`);
    if (report.dry_run) process.stderr.write('dry run: nothing was written\n');
    else process.stderr.write(report.verified ? `verified: row counts match${report.checksums ? ' and every row compares equal' : ''}\n` : 'NOT verified: see above (exit 6)\n');
  }
}
