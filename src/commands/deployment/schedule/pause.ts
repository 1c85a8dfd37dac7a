import {Args} from '@oclif/core';

import {DeploymentWriteCommand, nowIso, runsPhrase} from '../../../cli/deployment-write-command.js';
import {writeFlags} from '../../../cli/write-flags.js';

export default class DeploymentSchedulePause extends DeploymentWriteCommand<typeof DeploymentSchedulePause> {
  static summary = "Switch one of a deployment's schedules off; its future auto-scheduled runs are deleted, as Prefect does";

  static examples = ['<%= config.bin %> deployment schedule pause etl/nightly hourly --yes'];

  static args = {
    deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true}),
    schedule: Args.string({description: 'schedule id (or unique prefix) or slug', required: true}),
  };

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {setActive} = await import('../../../services/schedule-changes.js');
    const deployment = await this.openDeployment(this.args.deployment);
    const label = `${deployment.flow_name}/${deployment.name}`;
    await this.confirm(`Pause schedule ${this.args.schedule} of ${label} and delete its future auto-scheduled runs?`);
    const change = await setActive(this.ctx, deployment.id, this.args.schedule, false, {now: nowIso(), dryRun: this.dryRun});
    this.report(`Paused schedule ${change.scheduleIds[0]}; deleted ${runsPhrase(change.deletedRuns)}`, `pause schedule ${change.scheduleIds[0]} and delete ${runsPhrase(change.deletedRuns)}`);
    await this.printSchedules(change.deployment, change.scheduleIds);
  }
}
