import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class ConcurrencyLimitDelete extends BaseCommand<typeof ConcurrencyLimitDelete> {
  static summary = 'Delete a tag concurrency limit';

  static examples = ['<%= config.bin %> concurrency-limit delete database --yes'];

  static args = {tag: Args.string({description: 'the tag', required: true})};

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {deleteTagLimit, findTagLimit} = await import('../../services/tag-concurrency-limits.js');
    const {tagLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const existing = await findTagLimit(ctx, this.args.tag);
    await this.confirm(`Delete the concurrency limit of tag "${existing.tag}" (limit ${existing.concurrency_limit})?`);
    const limit = await deleteTagLimit(ctx, this.args.tag, {dryRun: this.flags['dry-run']});
    reportWrite(`deleted the concurrency limit of tag "${limit.tag}"`, this.flags['dry-run']);
    await this.printDetail(tagLimitDetailView(limit));
  }
}
