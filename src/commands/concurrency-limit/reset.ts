import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class ConcurrencyLimitReset extends BaseCommand<typeof ConcurrencyLimitReset> {
  static summary = "Release a tag concurrency limit's slots: all of them, or with --stale those held by task runs no longer Running or Cancelling";

  static description =
    'On a "tag:TAG" global limit (Prefect 3.4.19+) the slot counter is set to 0, or with --stale lowered to the number of Running or ' +
    "Cancelling task runs with the tag. The leases a live server keeps in memory are not touched: it may still release them later (the counter " +
    'never goes below 0).';

  static examples = ['<%= config.bin %> concurrency-limit reset database --yes', '<%= config.bin %> concurrency-limit reset database --stale --dry-run'];

  static args = {tag: Args.string({description: 'the tag', required: true})};

  static flags = {
    stale: Flags.boolean({description: 'release only the slots of task runs no longer Running or Cancelling (or gone)'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {findTagLimit, resetTagLimit} = await import('../../services/tag-concurrency-limits.js');
    const {tagLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const existing = await findTagLimit(ctx, this.args.tag);
    await this.confirm(`Release ${this.flags.stale ? 'the stale' : 'all'} slots of the concurrency limit of tag "${existing.tag}" (${existing.slots_in_use} in use)?`);
    const {before, after} = await resetTagLimit(ctx, this.args.tag, this.flags.stale, {dryRun: this.flags['dry-run']});
    reportWrite(`released ${before.slots_in_use - after.slots_in_use} slot(s) of tag "${after.tag}" (${after.slots_in_use} still in use)`, this.flags['dry-run']);
    await this.printDetail(tagLimitDetailView(after));
  }
}
