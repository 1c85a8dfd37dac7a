import {Args} from '@oclif/core';

import {DeploymentWriteCommand, nowIso, runsPhrase} from '../../../cli/deployment-write-command.js';
import {writeFlags} from '../../../cli/write-flags.js';

export default class DeploymentScheduleClear extends DeploymentWriteCommand<typeof DeploymentScheduleClear> {
  static summary = "Delete all of a deployment's schedules and its auto-scheduled runs that have not run";

  static examples = ['<%= config.bin %> deployment schedule clear etl/nightly --yes'];

  static args = {
    deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true}),
  };

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {clearSchedules} = await import('../../../services/schedule-changes.js');
    const deployment = await this.openDeployment(this.args.deployment);
    const label = `${deployment.flow_name}/${deployment.name}`;
    await this.confirm(`Delete all ${deployment.schedules.length} schedules of ${label} and its auto-scheduled runs?`);
    const change = await clearSchedules(this.ctx, deployment.id, {now: nowIso(), dryRun: this.dryRun});
    this.report(`Deleted ${change.scheduleIds.length} schedules and ${runsPhrase(change.deletedRuns)}`, `delete ${change.scheduleIds.length} schedules and ${runsPhrase(change.deletedRuns)}`);
    await this.printSchedules(change.deployment, change.scheduleIds);
  }
}
