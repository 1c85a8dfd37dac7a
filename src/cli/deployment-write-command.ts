import {jsonText} from '../db/codecs/json-text.js';
import type {Command} from '@oclif/core';

import {BaseCommand, type Session} from '../base-command.js';
import type {RepositoryContext} from '../repositories/common.js';
import type {DeploymentRecord} from '../repositories/deployments.js';
import type {WriteFlagValues} from './write-flags.js';

/** What deployment and schedule write commands share: finding the deployment, echoing the result. */
export abstract class DeploymentWriteCommand<T extends typeof Command> extends BaseCommand<T> {
  protected session!: Session;
  protected ctx!: RepositoryContext;

  protected get dryRun(): boolean {
    return Boolean((this.flags as WriteFlagValues)['dry-run']);
  }

  protected async openDeployment(reference: string): Promise<DeploymentRecord> {
    const {repositoryContext} = await import('../repositories/common.js');
    const {findDeployment} = await import('../repositories/deployments.js');
    this.session = await this.connectForWrite();
    this.ctx = repositoryContext(this.session.db, this.session.schema);
    return findDeployment(this.ctx, reference, Date.now());
  }

  /** Prints the schedules with these ids as `deployment schedule ls` lists them. */
  protected async printSchedules(deployment: DeploymentRecord, ids: readonly string[]): Promise<void> {
    const {SCHEDULE_COLUMNS, scheduleViews, schedulesNoun} = await import('../render/schedule-view.js');
    const chosen = deployment.schedules.filter((s) => s.id !== null && ids.includes(s.id));
    const rows = scheduleViews(chosen, Date.now(), 3, (message) => this.warnLine(message));
    await this.printList({noun: schedulesNoun(deployment), rows, columns: SCHEDULE_COLUMNS});
  }

  /** Prints the deployment as `deployment inspect --json` shows it (one record). */
  protected async printDeployment(deployment: DeploymentRecord): Promise<void> {
    await this.printDetail({
      id: deployment.id,
      record: deployment,
      sections: () => [
        {
          fields: [
            ['ID', deployment.id],
            ['Name', `${deployment.flow_name}/${deployment.name}`],
            ['Paused', deployment.paused ? 'yes' : 'no'],
            ['Version', deployment.version ?? ''],
            ['Description', deployment.description ?? ''],
            ['Tags', deployment.tags.join(', ')],
            ['Work pool', [deployment.work_pool_name, deployment.work_queue_name].filter(Boolean).join(' / ')],
            ['Concurrency limit', deployment.concurrency_limit === null ? '' : String(deployment.concurrency_limit)],
            ['Parameters', jsonText(deployment.parameters)],
            ['Job variables', jsonText(deployment.job_variables)],
          ],
        },
      ],
    });
  }

  /** One line on stderr saying what was (or, in a dry run, would have been) done. */
  protected report(done: string, wouldDo: string): void {
    if (this.flags.quiet) return;
    process.stderr.write(this.dryRun ? `Dry run: nothing was written; would ${wouldDo}.\n` : `${done}.\n`);
  }
}

export function runsPhrase(count: number): string {
  return `${count.toLocaleString('en-US')} scheduled run${count === 1 ? '' : 's'}`;
}

/** Now as Prefect's SQL now() stamps rows (milliseconds), in the contract's ISO form. */
export {currentTimestamp as nowIso} from '../db/ids.js';
