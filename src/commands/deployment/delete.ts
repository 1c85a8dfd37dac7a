import {Args} from '@oclif/core';

import {DeploymentWriteCommand, nowIso, runsPhrase} from '../../cli/deployment-write-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class DeploymentDelete extends DeploymentWriteCommand<typeof DeploymentDelete> {
  static summary = 'Delete a deployment with its schedules, its scheduled runs that have not run and its deployment concurrency limit';

  static description = 'As DELETE /deployments/{id}: its other runs stay, with a deployment_id that no longer points anywhere.';

  static examples = ['<%= config.bin %> deployment delete etl/nightly --yes'];

  static args = {deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true})};

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {countClearableRuns, deleteDeployment} = await import('../../services/deployment-changes.js');
    const deployment = await this.openDeployment(this.args.deployment);
    const label = `${deployment.flow_name}/${deployment.name}`;
    const now = nowIso();
    const count = await countClearableRuns(this.ctx, deployment.id, {autoScheduledOnly: false, futureOnly: false}, now);
    await this.confirm(`Delete deployment ${label}, its ${deployment.schedules.length} schedules and ${runsPhrase(count)}?`);
    const change = await deleteDeployment(this.ctx, deployment.id, {now, dryRun: this.dryRun});
    const limit = change.deletedLimits > 0 ? ' and its concurrency limit' : '';
    this.report(`Deleted ${label}, ${runsPhrase(change.deletedRuns)}${limit}`, `delete ${label}, ${runsPhrase(change.deletedRuns)}${limit}`);
    // The deleted deployment, as it was.
    await this.printDeployment(change.deployment);
  }
}
