import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';
import type {ScheduleRunsLine} from '../../services/schedule-runs.js';

export default class DeploymentScheduleRuns extends BaseCommand<typeof DeploymentScheduleRuns> {
  static summary = "Create scheduled runs now, as Prefect's scheduler service does, or backfill a window";

  static description =
    'Without --start/--end: one pass of Prefect\'s scheduler over the active schedules of unpaused deployments ' +
    '(at least 3 runs and 1 hour ahead, at most 100 runs and 100 days). With --start and --end: a backfill of every ' +
    'run time in the window, both ends included (capped by --max-runs). Runs carry the idempotency keys Prefect ' +
    'writes, so a second pass, or the real scheduler afterwards, adds nothing twice.';

  static examples = [
    '<%= config.bin %> deployment schedule-runs',
    '<%= config.bin %> deployment schedule-runs etl/nightly --start 2026-01-01 --end 2026-01-31T23:59:59Z',
    '<%= config.bin %> deployment schedule-runs etl/nightly --start 30d --end now --dry-run',
  ];

  static strict = false;

  static args = {
    deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix (several allowed; none = every deployment)'}),
  };

  static flags = {
    start: Flags.string({description: 'backfill from this time: ISO-8601, "now", an age such as 30d (ago) or +1d (ahead)', dependsOn: ['end']}),
    end: Flags.string({description: 'backfill up to this time, included', dependsOn: ['start']}),
    'max-runs': Flags.integer({description: 'at most this many runs per schedule in a backfill', min: 1, dependsOn: ['start']}),
    'include-paused': Flags.boolean({description: 'backfill paused deployments too'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {parseTimeInput} = await import('../../cli/time-input.js');
    const {usageError, refusedError} = await import('../../errors.js');
    const nowMillis = Date.now();
    const window = this.flags.start === undefined ? undefined : {
      startMillis: Date.parse(parseTimeInput(this.flags.start, nowMillis)),
      endMillis: Date.parse(parseTimeInput(this.flags.end!, nowMillis)),
    };
    if (window && window.endMillis < window.startMillis) throw usageError('--end is before --start: give the window\'s earlier time to --start');
    const {findDeployment, listDeployments} = await import('../../repositories/deployments.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {scheduleRuns} = await import('../../services/schedule-runs.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const named = this.positionals.length > 0;
    const deployments = named
      ? await Promise.all(this.positionals.map((reference) => findDeployment(ctx, reference, nowMillis)))
      : (await listDeployments(ctx, {sort: {field: 'name', direction: 'asc'}}, nowMillis)).rows;
    if (window && named && !this.flags['include-paused']) {
      const paused = deployments.find((d) => d.paused);
      if (paused) throw refusedError(`deployment ${paused.flow_name}/${paused.name} is paused: resume it first, or pass --include-paused to backfill it anyway`);
    }
    const {lines, batches} = await scheduleRuns({
      ctx,
      deployments,
      nowMillis,
      window,
      maxRuns: this.flags['max-runs'],
      includePaused: this.flags['include-paused'],
      dryRun: this.flags['dry-run'],
      onProgress: await this.progressListener(),
    });
    this.clearProgress();
    await this.printList<ScheduleRunsLine>({
      noun: 'schedules',
      rows: lines,
      idKey: 'schedule_id',
      columns: [
        {header: 'DEPLOYMENT', key: 'deployment', cell: (l) => l.deployment},
        {header: 'SCHEDULE', cell: (l) => l.schedule_slug ?? l.schedule_id ?? ''},
        {header: 'RUN TIMES', key: 'dates', cell: (l) => String(l.dates)},
        {header: 'CREATED', key: 'created', cell: (l) => String(l.created)},
        {header: 'FROM', key: 'first_run', cell: (l, fmt) => (l.first_run ? fmt.time(l.first_run) : '')},
        {header: 'TO', key: 'last_run', cell: (l, fmt) => (l.last_run ? fmt.time(l.last_run) : '')},
        {header: 'NOTE', key: 'skipped', cell: (l) => l.skipped ?? ''},
      ],
    });
    const created = lines.reduce((sum, l) => sum + l.created, 0);
    if (!this.flags.quiet) {
      const lock = batches.batches > 0 ? ` in ${batches.batches} transaction${batches.batches === 1 ? '' : 's'} (longest ${Math.round(batches.longestBatchMs)} ms)` : '';
      process.stderr.write(`${this.flags['dry-run'] ? 'Dry run: would create' : 'Created'} ${created.toLocaleString('en-US')} flow run${created === 1 ? '' : 's'}${lock}.\n`);
    }
  }
}
