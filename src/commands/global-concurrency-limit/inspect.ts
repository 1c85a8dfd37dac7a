import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class GlobalConcurrencyLimitInspect extends BaseCommand<typeof GlobalConcurrencyLimitInspect> {
  static summary = 'Show one global concurrency limit (active slots after decay)';

  static examples = ['<%= config.bin %> global-concurrency-limit inspect my-limit --json'];

  static args = {limit: Args.string({description: 'limit name, id, or unique id prefix', required: true})};

  async run(): Promise<void> {
    const {findGlobalConcurrencyLimit} = await import('../../repositories/concurrency-limits.js');
    const {globalLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    await this.printDetail(globalLimitDetailView(await findGlobalConcurrencyLimit(repositoryContext(db, schema), this.args.limit, Date.now())));
  }
}
