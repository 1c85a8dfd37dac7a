import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class WorkPoolClearConcurrencyLimit extends BaseCommand<typeof WorkPoolClearConcurrencyLimit> {
  static summary = "Remove a work pool's concurrency limit";

  static examples = ['<%= config.bin %> work-pool clear-concurrency-limit my-pool'];

  static args = {
    pool: Args.string({description: 'work pool name, id, or unique id prefix', required: true}),
  };

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {updateWorkPool} = await import('../../services/work-pools.js');
    const {workPoolDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    await this.confirm(`Clear the concurrency limit of work pool "${this.args.pool}" (its workers may then run any number of flow runs)?`);
    const detail = await updateWorkPool(ctx, this.args.pool, {concurrency_limit: null}, {dryRun: this.flags['dry-run']});
    reportWrite(`cleared the concurrency limit of work pool "${detail.pool.name}"`, this.flags['dry-run']);
    await this.printDetail(workPoolDetailView(detail));
  }
}
