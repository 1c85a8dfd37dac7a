import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class WorkPoolResume extends BaseCommand<typeof WorkPoolResume> {
  static summary = 'Resume a paused work pool (status READY with an online worker, else NOT_READY)';

  static examples = ['<%= config.bin %> work-pool resume my-pool'];

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
    const detail = await updateWorkPool(ctx, this.args.pool, {is_paused: false}, {dryRun: this.flags['dry-run']});
    reportWrite(`resumed work pool "${detail.pool.name}"`, this.flags['dry-run']);
    await this.printDetail(workPoolDetailView(detail));
  }
}
