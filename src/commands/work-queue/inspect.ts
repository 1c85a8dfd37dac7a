import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class WorkQueueInspect extends BaseCommand<typeof WorkQueueInspect> {
  static summary = 'Show one work queue with its status and flow run counts';

  static examples = [
    '<%= config.bin %> work-queue inspect my-pool/default',
    '<%= config.bin %> work-queue inspect 3f2a --json',
  ];

  static args = {
    queue: Args.string({description: 'POOL/QUEUE, a queue name found in one pool only, an id, or a unique id prefix', required: true}),
  };

  async run(): Promise<void> {
    const {findWorkQueue} = await import('../../repositories/work-queues.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const queue = await findWorkQueue(repositoryContext(db, schema), this.args.queue, Date.now());
    await this.printDetail({
      id: queue.id,
      record: queue,
      sections: (fmt) => [
        {
          fields: [
            ['ID', queue.id],
            ['Name', `${queue.work_pool_name}/${queue.name}`],
            ['Description', queue.description ?? ''],
            ['Priority', String(queue.priority)],
            ['Status', queue.status],
            ['Paused', queue.is_paused ? 'yes' : 'no'],
            ['Concurrency limit', queue.concurrency_limit === null ? 'unlimited' : String(queue.concurrency_limit)],
            ['Last polled', fmt.time(queue.last_polled)],
            ['Filter (legacy)', fmt.text(queue.filter)],
            ['Created', fmt.time(queue.created)],
            ['Updated', fmt.time(queue.updated)],
          ],
        },
        {
          title: 'Flow runs',
          fields: [
            ['Scheduled', String(queue.flow_run_counts.scheduled)],
            ['Late', String(queue.flow_run_counts.late)],
            ['Pending', String(queue.flow_run_counts.pending)],
            ['Running', String(queue.flow_run_counts.running)],
          ],
        },
      ],
    });
  }
}
