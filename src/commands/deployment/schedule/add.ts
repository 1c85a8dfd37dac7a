import {Args, Flags} from '@oclif/core';

import {DeploymentWriteCommand} from '../../../cli/deployment-write-command.js';
import {writeFlags} from '../../../cli/write-flags.js';

export default class DeploymentScheduleAdd extends DeploymentWriteCommand<typeof DeploymentScheduleAdd> {
  static summary = 'Add a schedule to a deployment (interval, cron or rrule), stored as Prefect stores it';

  static description =
    'Like POST /deployments/{id}/schedules: existing runs stay; run `deployment schedule-runs` (or let Prefect\'s scheduler) create the new runs.';

  static examples = [
    '<%= config.bin %> deployment schedule add etl/nightly --cron "0 9 * * 1-5" --timezone Europe/Paris',
    '<%= config.bin %> deployment schedule add etl/nightly --interval 3600 --anchor-date 2026-01-01T00:30:00Z --slug hourly',
    '<%= config.bin %> deployment schedule add etl/nightly --rrule "FREQ=WEEKLY;BYDAY=MO" --timezone America/New_York',
  ];

  static args = {
    deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true}),
  };

  static flags = {
    interval: Flags.string({description: 'an interval schedule: seconds between runs', exactlyOne: ['interval', 'cron', 'rrule']}),
    'anchor-date': Flags.string({description: 'interval schedules: the time the intervals count from (default now)', dependsOn: ['interval']}),
    cron: Flags.string({description: 'a cron schedule: five fields (an optional sixth, seconds, at the end)'}),
    'day-or': Flags.boolean({description: 'cron: day of month OR day of week (classic cron, default); --no-day-or: both must match', allowNo: true, default: true}),
    rrule: Flags.string({description: 'an RFC 5545 recurrence rule (RRULE/RDATE/EXDATE lines, DTSTART optional)'}),
    timezone: Flags.string({description: 'IANA time zone the schedule is evaluated in, e.g. America/New_York'}),
    slug: Flags.string({description: 'a name for the schedule, unique within the deployment'}),
    parameters: Flags.string({description: "JSON object of parameters overlaying the deployment's for this schedule's runs"}),
    inactive: Flags.boolean({description: 'create the schedule switched off'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {usageError} = await import('../../../errors.js');
    const {parseJsonObject} = await import('../../../cli/json-input.js');
    const {scheduleJson} = await import('../../../scheduling/new-schedule.js');
    const {releaseAtLeast} = await import('../../../db/release.js');
    const {addSchedule} = await import('../../../services/schedule-changes.js');
    const {flags} = this;
    const nowMillis = Date.now();
    const parameters = flags.parameters === undefined ? undefined : await parseJsonObject(flags.parameters, '--parameters');
    const interval = flags.interval === undefined ? undefined : Number(flags.interval);
    if (flags.interval !== undefined && !Number.isFinite(interval)) throw usageError(`--interval "${flags.interval.slice(0, 20)}" is not a number of seconds`);
    const deployment = await this.openDeployment(this.args.deployment);
    const schedule = scheduleJson(
      interval !== undefined
        ? {kind: 'interval', seconds: interval, anchorDate: flags['anchor-date'], timezone: flags.timezone}
        : flags.cron !== undefined
          ? {kind: 'cron', cron: flags.cron, dayOr: flags['day-or'], timezone: flags.timezone}
          : {kind: 'rrule', rrule: flags.rrule!, timezone: flags.timezone},
      nowMillis,
      {normalizeRRule: releaseAtLeast(this.session.schema, '3.7.0')},
    );
    const now = new Date(nowMillis).toISOString().replace('Z', '000Z'); // microseconds, as the contract writes them
    const change = await addSchedule(this.ctx, deployment.id, {schedule, active: !flags.inactive, slug: flags.slug, parameters}, {now, dryRun: this.dryRun});
    this.report(`Added schedule ${change.scheduleIds[0]} to ${deployment.flow_name}/${deployment.name}`, `add a schedule to ${deployment.flow_name}/${deployment.name}`);
    await this.printSchedules(change.deployment, change.scheduleIds);
  }
}
