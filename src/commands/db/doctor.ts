import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';
import {quoted} from '../../cli/bounded.js';
import {ExitCode, usageError} from '../../errors.js';
import type {Finding} from '../../services/doctor.js';

export default class DbDoctor extends BaseCommand<typeof DbDoctor> {
  static summary = 'Find (and with --fix repair) what makes Prefect misbehave: zombie runs, leaked slots, wrong state pointers, orphans, duplicates, damaged or bloated storage';

  static description =
    'Each check reports how many rows its fix would change, a few sample ids, the command that repairs it, and how long it took; a terminal shows which checks are running. Each check is one indexed query or one pass over its table; the integrity check is SQLite\'s quick_check unless --full. Checks whose work keeps another processor busy run beside the rest (SQLite\'s integrity and foreign-key checks in threads of their own; on PostgreSQL the history derivation while the server answers the other checks), so their seconds overlap. --fix repairs in short batches (a live server can share the database) and asks first on a terminal (--yes otherwise); --dry-run runs the repairs and rolls them back. Exit 0 when every check is ok or fixed, 6 when something was found and left.';

  static examples = [
    '<%= config.bin %> db doctor',
    '<%= config.bin %> db doctor --stale 6h --json',
    '<%= config.bin %> db doctor --fix --yes',
    '<%= config.bin %> db doctor --check zombie-runs,late-runs',
  ];

  static flags = {
    fix: Flags.boolean({description: 'repair what the checks find'}),
    stale: Flags.string({description: 'a Running or Pending flow run with no heartbeat or log for this long is a zombie (30m, 12h, 1d)', default: '1d'}),
    check: Flags.string({description: 'run only this check (repeatable or comma list; names as the report lists them)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
    full: Flags.boolean({description: 'SQLite: the full integrity_check, which also looks every index entry up in its table (slower than the default quick_check)'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {parseTimeInput} = await import('../../cli/time-input.js');
    const {checkNames, runDoctor} = await import('../../services/doctor.js');
    const {flags} = this;
    const staleCutoff = parseTimeInput(flags.stale);
    const only = flags.check ? chosenChecks(flags.check, checkNames()) : undefined;
    const {ProgressLine} = await import('../../render/progress.js');
    const progress = ProgressLine.forStderr();
    const dryRun = flags['dry-run'];
    const repairing = flags.fix || dryRun;
    const {db, schema} = repairing ? await this.connectForWrite() : await this.connectToPrefect();
    const findings = await runDoctor(db, schema, {
      fix: repairing,
      dryRun,
      staleCutoff,
      only,
      fullIntegrity: flags.full,
      progress: progress?.listener,
      filename: db.target.dialect === 'sqlite' ? db.target.filename : undefined,
      beforeRepair: async (found) => {
        const rows = found.reduce((sum, f) => sum + f.count, 0);
        progress?.finish();
        await this.confirm(`Repair ${found.length} finding(s) (${rows.toLocaleString('en-US')} rows), deleting orphans and duplicates as listed?`);
      },
    });
    progress?.finish();
    await this.printList<Finding>({
      noun: 'checks',
      rows: findings,
      idKey: 'check',
      columns: [
        {header: 'CHECK', key: 'check', cell: (f) => f.check},
        {header: 'STATUS', key: 'status', cell: (f) => f.status},
        {header: 'COUNT', key: 'count', cell: (f) => f.count.toLocaleString('en-US')},
        {header: 'TIME', key: 'seconds', cell: (f) => `${f.seconds.toFixed(1)} s`},
        {header: 'SAMPLE', key: 'sample_ids', cell: (f) => f.sample_ids.slice(0, 2).join(' ')},
        {header: 'FIX', key: 'fix', cell: (f, format) => format.text(f.fix ?? '')},
      ],
    });
    if (dryRun) process.stderr.write('Dry run: the repairs ran and were rolled back; nothing was written.\n');
    if (findings.some((f) => f.status === 'found')) this.exit(ExitCode.problemsFound);
  }
}

/** The checks --check names, each known (exit 2 naming the valid ones otherwise). */
function chosenChecks(wanted: string[], known: string[]): string[] {
  const names = wanted.map((name) => name.trim().toLowerCase());
  const unknown = names.find((name) => !known.includes(name));
  if (unknown !== undefined) throw usageError(`unknown check ${quoted(unknown)}: use one of ${known.join(', ')}`);
  return names;
}
