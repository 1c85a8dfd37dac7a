import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class WorkPoolInspect extends BaseCommand<typeof WorkPoolInspect> {
  static summary = 'Show one work pool: its queues by priority, its workers and its base job template';

  static examples = ['<%= config.bin %> work-pool inspect my-pool', '<%= config.bin %> work-pool inspect 3f2a --json'];

  static args = {
    pool: Args.string({description: 'work pool name, id, or unique id prefix', required: true}),
  };

  async run(): Promise<void> {
    const {readWorkPoolDetail} = await import('../../services/work-pools.js');
    const {workPoolDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    await this.printDetail(workPoolDetailView(await readWorkPoolDetail(repositoryContext(db, schema), this.args.pool)));
  }
}
