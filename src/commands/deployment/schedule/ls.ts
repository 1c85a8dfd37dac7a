import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../../base-command.js';
import {viewFlags} from '../../../cli/view-flags.js';
import type {DeploymentScheduleRecord} from '../../../repositories/deployments.js';

/** A schedule row with what people need to read it: a description and its next run times. */
interface ScheduleView extends DeploymentScheduleRecord {
  description: string;
  timezone: string | null;
  next_run_times: string[] | null;
}

export default class DeploymentScheduleLs extends BaseCommand<typeof DeploymentScheduleLs> {
  static summary = "List a deployment's schedules with their next run times";

  static description =
    'Run times are computed as Prefect computes them, in the schedule\'s time zone (DST included). ' +
    'They are what the schedule yields, not runs that exist: paused deployments and inactive schedules create none.';

  static examples = [
    '<%= config.bin %> deployment schedule ls etl/nightly',
    '<%= config.bin %> deployment schedule ls etl/nightly --next 10 --from 2026-03-01',
  ];

  static args = {
    deployment: Args.string({description: 'FLOW/DEPLOYMENT, id, or unique id prefix', required: true}),
  };

  static flags = {
    next: Flags.integer({description: 'how many upcoming run times to compute per schedule', default: 3, min: 0, max: 1000}),
    from: Flags.string({description: 'compute run times from this time instead of now: ISO-8601, an age such as 2h (ago), or +1d (ahead)'}),
    ...viewFlags,
  };

  async run(): Promise<void> {
    const {parseTimeInput} = await import('../../../cli/time-input.js');
    const startMillis = this.flags.from === undefined ? Date.now() : Date.parse(parseTimeInput(this.flags.from));
    const {findDeployment} = await import('../../../repositories/deployments.js');
    const {repositoryContext} = await import('../../../repositories/common.js');
    const {describeSchedule} = await import('../../../scheduling/describe.js');
    const {nextRunTimes} = await import('../../../scheduling/next-runs.js');
    const {parseSchedule} = await import('../../../scheduling/schedule.js');
    const {localLabel} = await import('../../../scheduling/zoned-time.js');
    const {db, schema} = await this.connectToPrefect();
    const deployment = await findDeployment(repositoryContext(db, schema), this.args.deployment, Date.now());

    const rows: ScheduleView[] = deployment.schedules.map((record) => {
      const schedule = parseSchedule(record.schedule);
      const next = nextRunTimes(schedule, startMillis, this.flags.next);
      if (next.error !== null) this.warnLine(`schedule ${record.id ?? '(legacy)'}: cannot compute run times: ${next.error}`);
      return {
        ...record,
        description: describeSchedule(schedule),
        timezone: schedule.kind === 'unknown' ? null : schedule.timezone,
        next_run_times: next.times,
      };
    });
    await this.printList<ScheduleView>({
      noun: `schedules of ${deployment.flow_name}/${deployment.name}`,
      rows,
      columns: [
        {header: 'ID', cell: (s) => s.id ?? '(legacy)'},
        {header: 'SCHEDULE', cell: (s) => s.description},
        {header: 'ACTIVE', cell: (s) => (s.active ? 'yes' : 'no')},
        {header: 'SLUG', cell: (s) => s.slug ?? ''},
        {
          header: 'NEXT RUNS',
          // Wall-clock times in the schedule's own zone, as Prefect labels scheduled runs.
          cell: (s) => (s.next_run_times ?? []).map((t) => localLabel(t, s.timezone ?? 'UTC')).join('\n'),
        },
      ],
    });
    if (deployment.paused && !this.flags.quiet) process.stderr.write('note: the deployment is paused; Prefect schedules no runs for it\n');
  }
}
