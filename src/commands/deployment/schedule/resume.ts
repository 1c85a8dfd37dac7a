import {Args} from '@oclif/core';

import {DeploymentWriteCommand, nowIso, runsPhrase} from '../../../cli/deployment-write-command.js';
import {writeFlags} from '../../../cli/write-flags.js';

export default class DeploymentScheduleResume extends DeploymentWriteCommand<typeof DeploymentScheduleResume> {
  static summary = "Switch one of a deployment's schedules back on; future auto-scheduled runs are deleted, as Prefect's PATCH does";

  static examples = ['<%= config.bin %> deployment schedule resume etl/nightly hourly --yes'];

  static args = {
    deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true}),
    schedule: Args.string({description: 'schedule id (or unique prefix) or slug', required: true}),
  };

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {setActive} = await import('../../../services/schedule-changes.js');
    const deployment = await this.openDeployment(this.args.deployment);
    const label = `${deployment.flow_name}/${deployment.name}`;
    await this.confirm(`Resume schedule ${this.args.schedule} of ${label} and delete the future auto-scheduled runs of the deployment?`);
    const change = await setActive(this.ctx, deployment.id, this.args.schedule, true, {now: nowIso(), dryRun: this.dryRun});
    this.report(`Resumed schedule ${change.scheduleIds[0]}; deleted ${runsPhrase(change.deletedRuns)}`, `resume schedule ${change.scheduleIds[0]} and delete ${runsPhrase(change.deletedRuns)}`);
    await this.printSchedules(change.deployment, change.scheduleIds);
  }
}

