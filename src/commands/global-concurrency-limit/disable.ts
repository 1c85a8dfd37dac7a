import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class GlobalConcurrencyLimitDisable extends BaseCommand<typeof GlobalConcurrencyLimitDisable> {
  static summary = 'Make a global concurrency limit inactive: it no longer limits anything';

  static examples = ['<%= config.bin %> global-concurrency-limit disable my-limit'];

  static args = {limit: Args.string({description: 'limit name, id, or unique id prefix', required: true})};

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {updateGlobalConcurrencyLimit} = await import('../../services/global-concurrency-limits.js');
    const {globalLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    await this.confirm(`Disable global concurrency limit "${this.args.limit}" (it will no longer limit anything)?`);
    const {db, schema} = await this.connectForWrite();
    const limit = await updateGlobalConcurrencyLimit(repositoryContext(db, schema), this.args.limit, {active: false}, {dryRun: this.flags['dry-run']});
    reportWrite(`disabled global concurrency limit "${limit.name}"`, this.flags['dry-run']);
    await this.printDetail(globalLimitDetailView(limit));
  }
}
