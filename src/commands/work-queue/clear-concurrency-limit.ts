import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class WorkQueueClearConcurrencyLimit extends BaseCommand<typeof WorkQueueClearConcurrencyLimit> {
  static summary = "Remove a work queue's concurrency limit";

  static examples = ['<%= config.bin %> work-queue clear-concurrency-limit my-pool/my-queue'];

  static args = {
    queue: Args.string({description: 'POOL/QUEUE, a queue name found in one pool only, an id, or a unique id prefix', required: true}),
  };

  static flags = {
    pool: Flags.string({char: 'p', description: 'the pool of the queue named in the argument'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {updateWorkQueue} = await import('../../services/work-queues.js');
    const {workQueueDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const reference = this.flags.pool ? `${this.flags.pool}/${this.args.queue}` : this.args.queue;
    await this.confirm(`Clear the concurrency limit of work queue "${reference}"?`);
    const {db, schema} = await this.connectForWrite();
    const queue = await updateWorkQueue(repositoryContext(db, schema), reference, {concurrency_limit: null}, {dryRun: this.flags['dry-run']});
    reportWrite(`cleared the concurrency limit of work queue "${queue.work_pool_name}/${queue.name}"`, this.flags['dry-run']);
    await this.printDetail(workQueueDetailView(queue));
  }
}
