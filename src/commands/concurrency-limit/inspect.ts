import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class ConcurrencyLimitInspect extends BaseCommand<typeof ConcurrencyLimitInspect> {
  static summary = 'Show a tag concurrency limit and the task runs holding its slots, with their states';

  static examples = ['<%= config.bin %> concurrency-limit inspect database'];

  static args = {tag: Args.string({description: 'the tag', required: true})};

  async run(): Promise<void> {
    const {findTagLimit} = await import('../../services/tag-concurrency-limits.js');
    const {tagLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    await this.printDetail(tagLimitDetailView(await findTagLimit(repositoryContext(db, schema), this.args.tag)));
  }
}
