import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';
import {usageError} from '../../errors.js';

export default class WorkQueueUpdate extends BaseCommand<typeof WorkQueueUpdate> {
  static summary = "Change a work queue's name, description, priority or concurrency limit";

  static examples = ['<%= config.bin %> work-queue update my-pool/high --priority 2 --description "urgent work"'];

  static args = {queue: Args.string({description: 'POOL/QUEUE, a queue name found in one pool only, an id, or a unique id prefix', required: true})};

  static flags = {
    pool: Flags.string({char: 'p', description: 'the pool of the queue named in the argument'}),
    name: Flags.string({description: 'new name'}),
    description: Flags.string({description: 'new description'}),
    priority: Flags.integer({description: 'new priority, 1 served first', min: 1}),
    'concurrency-limit': Flags.integer({char: 'l', aliases: ['limit'], description: 'most flow runs in Pending or Running at once', min: 0}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {updateWorkQueue} = await import('../../services/work-queues.js');
    const {workQueueDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const changes = {
      ...(this.flags.name === undefined ? {} : {name: this.flags.name}),
      ...(this.flags.description === undefined ? {} : {description: this.flags.description}),
      ...(this.flags.priority === undefined ? {} : {priority: this.flags.priority}),
      ...(this.flags['concurrency-limit'] === undefined ? {} : {concurrency_limit: this.flags['concurrency-limit']}),
    };
    if (Object.keys(changes).length === 0) throw usageError('nothing to change: give --name, --description, --priority or --concurrency-limit');
    const {db, schema} = await this.connectForWrite();
    const reference = this.flags.pool ? `${this.flags.pool}/${this.args.queue}` : this.args.queue;
    const queue = await updateWorkQueue(repositoryContext(db, schema), reference, changes, {dryRun: this.flags['dry-run']});
    reportWrite(`updated work queue "${queue.work_pool_name}/${queue.name}"`, this.flags['dry-run']);
    await this.printDetail(workQueueDetailView(queue));
  }
}
