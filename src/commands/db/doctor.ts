import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';
import {ExitCode} from '../../errors.js';
import type {Finding} from '../../services/doctor.js';

export default class DbDoctor extends BaseCommand<typeof DbDoctor> {
  static summary = 'Find (and with --fix repair) what makes Prefect misbehave: zombie runs, leaked slots, wrong state pointers, orphans, duplicates, damaged or bloated storage';

  static description =
    'Each check reports how many rows its fix would change, a few sample ids, and the command that repairs it. --fix repairs in short batches (a live server can share the database) and asks first on a terminal (--yes otherwise); --dry-run runs the repairs and rolls them back. Exit 0 when every check is ok or fixed, 6 when something was found and left.';

  static examples = [
    '<%= config.bin %> db doctor',
    '<%= config.bin %> db doctor --stale 6h --json',
    '<%= config.bin %> db doctor --fix --yes',
  ];

  static flags = {
    fix: Flags.boolean({description: 'repair what the checks find'}),
    stale: Flags.string({description: 'a Running or Pending flow run with no heartbeat or log for this long is a zombie (30m, 12h, 1d)', default: '1d'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {parseTimeInput} = await import('../../cli/time-input.js');
    const {runDoctor} = await import('../../services/doctor.js');
    const {flags} = this;
    const staleCutoff = parseTimeInput(flags.stale);
    const dryRun = flags['dry-run'];
    const repairing = flags.fix || dryRun;
    const {db, schema} = repairing ? await this.connectForWrite() : await this.connectToPrefect();
    const findings = await runDoctor(db, schema, {
      fix: repairing,
      dryRun,
      staleCutoff,
      filename: db.target.dialect === 'sqlite' ? db.target.filename : undefined,
      beforeRepair: async (found) => {
        const rows = found.reduce((sum, f) => sum + f.count, 0);
        await this.confirm(`Repair ${found.length} finding(s) (${rows.toLocaleString('en-US')} rows), deleting orphans and duplicates as listed?`);
      },
    });
    await this.printList<Finding>({
      noun: 'checks',
      rows: findings,
      idKey: 'check',
      columns: [
        {header: 'CHECK', key: 'check', cell: (f) => f.check},
        {header: 'STATUS', key: 'status', cell: (f) => f.status},
        {header: 'COUNT', key: 'count', cell: (f) => f.count.toLocaleString('en-US')},
        {header: 'SAMPLE', key: 'sample_ids', cell: (f) => f.sample_ids.slice(0, 2).join(' ')},
        {header: 'FIX', key: 'fix', cell: (f, format) => format.text(f.fix ?? '')},
      ],
    });
    if (dryRun) process.stderr.write('Dry run: the repairs ran and were rolled back; nothing was written.\n');
    if (findings.some((f) => f.status === 'found')) this.exit(ExitCode.problemsFound);
  }
}
