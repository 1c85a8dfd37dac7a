import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../../base-command.js';
import {viewFlagsNaming} from '../../../cli/view-flags.js';
import type {ScheduleView} from '../../../render/schedule-view.js';

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
    ...viewFlagsNaming(['id', 'schedule', 'active', 'slug', 'next_runs']),
  };

  async run(): Promise<void> {
    const {parseTimeInput} = await import('../../../cli/time-input.js');
    const startMillis = this.flags.from === undefined ? Date.now() : Date.parse(parseTimeInput(this.flags.from));
    const {findDeployment} = await import('../../../repositories/deployments.js');
    const {repositoryContext} = await import('../../../repositories/common.js');
    const {SCHEDULE_COLUMNS, scheduleViews, schedulesNoun} = await import('../../../render/schedule-view.js');
    const {db, schema} = await this.connectToPrefect();
    const deployment = await findDeployment(repositoryContext(db, schema), this.args.deployment, Date.now());
    const rows = scheduleViews(deployment.schedules, startMillis, this.flags.next, (message) => this.warnLine(message));
    await this.printList<ScheduleView>({noun: schedulesNoun(deployment), rows, columns: SCHEDULE_COLUMNS});
    if (deployment.paused && !this.flags.quiet) process.stderr.write('note: the deployment is paused; Prefect schedules no runs for it\n');
  }
}
