import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class WorkPoolDelete extends BaseCommand<typeof WorkPoolDelete> {
  static summary = 'Delete a work pool with its queues and workers';

  static description =
    "As Prefect's foreign keys do: the pool's queues and workers are deleted; deployments and flow runs stay, their work_queue_id set " +
    'to NULL (they keep work_queue_name). Prints the pool as it was.';

  static examples = ['<%= config.bin %> work-pool delete my-pool --yes', '<%= config.bin %> work-pool delete my-pool --dry-run'];

  static args = {pool: Args.string({description: 'work pool name, id, or unique id prefix', required: true})};

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {deleteWorkPool, previewWorkPoolDelete} = await import('../../services/work-pools.js');
    const {workPoolDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const doomed = await previewWorkPoolDelete(ctx, this.args.pool);
    const {queues, workers, deployments, flowRuns} = doomed.dependents;
    const what = `work pool "${doomed.pool.name}" with ${queues} queue(s) and ${workers} worker(s); ${deployments} deployment(s) and ${flowRuns} flow run(s) lose their work queue id`;
    await this.confirm(`Delete ${what}?`);
    await deleteWorkPool(ctx, doomed.pool.id, {dryRun: this.flags['dry-run']});
    reportWrite(`deleted ${what}`, this.flags['dry-run']);
    await this.printDetail(workPoolDetailView(doomed));
  }
}
