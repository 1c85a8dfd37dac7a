import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class WorkQueueCreate extends BaseCommand<typeof WorkQueueCreate> {
  static summary = 'Create a work queue in a work pool';

  static description =
    'Without --priority the queue takes the first free priority (else the lowest); a priority already taken pushes that queue and ' +
    'the ones after it down by one, as Prefect does.';

  static examples = ['<%= config.bin %> work-queue create high --pool my-pool --priority 1 --concurrency-limit 5'];

  static args = {name: Args.string({description: 'name of the new queue', required: true})};

  static flags = {
    pool: Flags.string({char: 'p', description: 'the work pool to create it in (name, id, or unique id prefix)', required: true}),
    priority: Flags.integer({description: 'priority, 1 served first', min: 1}),
    'concurrency-limit': Flags.integer({char: 'l', aliases: ['limit'], description: 'most flow runs in Pending or Running at once', min: 0}),
    description: Flags.string({description: 'description of the queue'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {createWorkQueue} = await import('../../services/work-queues.js');
    const {workQueueDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const queue = await createWorkQueue(
      repositoryContext(db, schema),
      this.flags.pool,
      {name: this.args.name, priority: this.flags.priority, concurrencyLimit: this.flags['concurrency-limit'], description: this.flags.description},
      {dryRun: this.flags['dry-run']},
    );
    reportWrite(`created work queue "${queue.work_pool_name}/${queue.name}" with priority ${queue.priority}`, this.flags['dry-run']);
    await this.printDetail(workQueueDetailView(queue));
  }
}
