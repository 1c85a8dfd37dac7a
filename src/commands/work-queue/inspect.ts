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
    const {workQueueDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    await this.printDetail(workQueueDetailView(await findWorkQueue(repositoryContext(db, schema), this.args.queue, Date.now())));
  }
}
