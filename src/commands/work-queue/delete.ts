import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class WorkQueueDelete extends BaseCommand<typeof WorkQueueDelete> {
  static summary = "Delete a work queue (not its pool's default queue)";

  static description =
    'Deployments and flow runs of the queue stay, their work_queue_id set to NULL, as Prefect\'s foreign keys do. The other queues keep ' +
    'their priorities (gaps stay). A pool\'s default queue cannot be deleted (exit 4). Prints the queue as it was.';

  static examples = ['<%= config.bin %> work-queue delete my-pool/low --yes'];

  static args = {queue: Args.string({description: 'POOL/QUEUE, a queue name found in one pool only, an id, or a unique id prefix', required: true})};

  static flags = {
    pool: Flags.string({char: 'p', description: 'the pool of the queue named in the argument'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {deleteWorkQueue} = await import('../../services/work-queues.js');
    const {workQueueDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const reference = this.flags.pool ? `${this.flags.pool}/${this.args.queue}` : this.args.queue;
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    // Validate first (unknown queue → 3, default queue → 4), then ask.
    const queue = await deleteWorkQueue(ctx, reference, {dryRun: true});
    await this.confirm(`Delete work queue "${queue.work_pool_name}/${queue.name}"?`);
    if (!this.flags['dry-run']) await deleteWorkQueue(ctx, queue.id);
    reportWrite(`deleted work queue "${queue.work_pool_name}/${queue.name}"`, this.flags['dry-run']);
    await this.printDetail(workQueueDetailView(queue));
  }
}
