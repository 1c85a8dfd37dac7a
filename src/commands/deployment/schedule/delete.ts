import {Args} from '@oclif/core';

import {DeploymentWriteCommand, nowIso, runsPhrase} from '../../../cli/deployment-write-command.js';
import {writeFlags} from '../../../cli/write-flags.js';

export default class DeploymentScheduleDelete extends DeploymentWriteCommand<typeof DeploymentScheduleDelete> {
  static summary = "Delete one of a deployment's schedules and, as Prefect does, all its auto-scheduled runs that have not run (Late ones too)";

  static examples = ['<%= config.bin %> deployment schedule delete etl/nightly hourly --yes'];

  static args = {
    deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true}),
    schedule: Args.string({description: 'schedule id (or unique prefix) or slug', required: true}),
  };

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {removeSchedule} = await import('../../../services/schedule-changes.js');
    const deployment = await this.openDeployment(this.args.deployment);
    const label = `${deployment.flow_name}/${deployment.name}`;
    await this.confirm(`Delete schedule ${this.args.schedule} of ${label} and the deployment's auto-scheduled runs?`);
    const change = await removeSchedule(this.ctx, deployment.id, this.args.schedule, {now: nowIso(), dryRun: this.dryRun});
    this.report(`Deleted schedule ${change.scheduleIds[0]} and ${runsPhrase(change.deletedRuns)}`, `delete schedule ${change.scheduleIds[0]} and ${runsPhrase(change.deletedRuns)}`);
    // The deleted schedule, as it was listed.
    await this.printSchedules(change.deployment, change.scheduleIds);
  }
}
