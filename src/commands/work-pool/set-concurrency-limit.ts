import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {countArg} from '../../cli/count-arg.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class WorkPoolSetConcurrencyLimit extends BaseCommand<typeof WorkPoolSetConcurrencyLimit> {
  static summary = "Set a work pool's concurrency limit (most flow runs in Pending or Running at once)";

  static examples = ['<%= config.bin %> work-pool set-concurrency-limit my-pool 10'];

  static args = {
    pool: Args.string({description: 'work pool name, id, or unique id prefix', required: true}),
    limit: countArg('the limit (0 or more)'),
  };

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {updateWorkPool} = await import('../../services/work-pools.js');
    const {workPoolDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const detail = await updateWorkPool(ctx, this.args.pool, {concurrency_limit: Number(this.args.limit)}, {dryRun: this.flags['dry-run']});
    reportWrite(`set the concurrency limit of work pool "${detail.pool.name}"`, this.flags['dry-run']);
    await this.printDetail(workPoolDetailView(detail));
  }
}
