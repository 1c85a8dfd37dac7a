import {Args} from '@oclif/core';

import {DeploymentWriteCommand, nowIso, runsPhrase} from '../../cli/deployment-write-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class DeploymentPause extends DeploymentWriteCommand<typeof DeploymentPause> {
  static summary = 'Pause a deployment: no new scheduled runs, and its auto-scheduled runs that have not run are deleted (as Prefect does)';

  static examples = ['<%= config.bin %> deployment pause etl/nightly --yes'];

  static args = {deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true})};

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {countClearableRuns, pauseDeployment} = await import('../../services/deployment-changes.js');
    const deployment = await this.openDeployment(this.args.deployment);
    const label = `${deployment.flow_name}/${deployment.name}`;
    const now = nowIso();
    const count = await countClearableRuns(this.ctx, deployment.id, {autoScheduledOnly: true, futureOnly: false}, now);
    await this.confirm(`Pause ${label} and delete ${runsPhrase(count)}?`);
    const change = await pauseDeployment(this.ctx, deployment.id, {now, dryRun: this.dryRun});
    this.report(`Paused ${label}; deleted ${runsPhrase(change.deletedRuns)}`, `pause ${label} and delete ${runsPhrase(change.deletedRuns)}`);
    await this.printDeployment(change.deployment);
  }
}
