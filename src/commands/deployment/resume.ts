import {Args} from '@oclif/core';

import {DeploymentWriteCommand, nowIso} from '../../cli/deployment-write-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class DeploymentResume extends DeploymentWriteCommand<typeof DeploymentResume> {
  static summary = "Resume a paused deployment; Prefect's scheduler (or `deployment schedule-runs`) then creates its runs";

  static examples = ['<%= config.bin %> deployment resume etl/nightly'];

  static args = {deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true})};

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {resumeDeployment} = await import('../../services/deployment-changes.js');
    const deployment = await this.openDeployment(this.args.deployment);
    const label = `${deployment.flow_name}/${deployment.name}`;
    const change = await resumeDeployment(this.ctx, deployment.id, {now: nowIso(), dryRun: this.dryRun});
    this.report(`Resumed ${label}`, `resume ${label}`);
    await this.printDeployment(change.deployment);
  }
}
