import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class GlobalConcurrencyLimitDelete extends BaseCommand<typeof GlobalConcurrencyLimitDelete> {
  static summary = 'Delete a global concurrency limit';

  static description = 'A deployment whose limit this is keeps its row; its concurrency_limit_id is set to NULL by the foreign key, as in Prefect.';

  static examples = ['<%= config.bin %> global-concurrency-limit delete my-limit --yes'];

  static args = {limit: Args.string({description: 'limit name, id, or unique id prefix', required: true})};

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {deleteGlobalConcurrencyLimit} = await import('../../services/global-concurrency-limits.js');
    const {findGlobalConcurrencyLimit} = await import('../../repositories/concurrency-limits.js');
    const {globalLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const existing = await findGlobalConcurrencyLimit(ctx, this.args.limit, Date.now());
    await this.confirm(`Delete global concurrency limit "${existing.name}"?`);
    const limit = await deleteGlobalConcurrencyLimit(ctx, existing.id, {dryRun: this.flags['dry-run']});
    reportWrite(`deleted global concurrency limit "${limit.name}"`, this.flags['dry-run']);
    await this.printDetail(globalLimitDetailView(limit));
  }
}
