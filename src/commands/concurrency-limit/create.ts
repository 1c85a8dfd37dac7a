import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {countArg} from '../../cli/count-arg.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class ConcurrencyLimitCreate extends BaseCommand<typeof ConcurrencyLimitCreate> {
  static summary = 'Create a tag concurrency limit, or change the limit of the tag\'s existing one';

  static description =
    'As Prefect stores it: from Prefect 3.4.19 on, the global concurrency limit "tag:TAG"; before, a row of the version 1 table ' +
    'concurrency_limit.';

  static examples = ['<%= config.bin %> concurrency-limit create database 5'];

  static args = {
    tag: Args.string({description: 'the tag', required: true}),
    limit: countArg('most task runs with the tag running at once (0 or more)'),
  };

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {setTagLimit} = await import('../../services/tag-concurrency-limits.js');
    const {tagLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const limit = await setTagLimit(repositoryContext(db, schema), this.args.tag, Number(this.args.limit), {dryRun: this.flags['dry-run']});
    reportWrite(`set the concurrency limit of tag "${limit.tag}" to ${limit.concurrency_limit}`, this.flags['dry-run']);
    await this.printDetail(tagLimitDetailView(limit));
  }
}
