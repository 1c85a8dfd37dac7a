import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class WorkPoolPause extends BaseCommand<typeof WorkPoolPause> {
  static summary = 'Pause a work pool: workers get no runs from it (status PAUSED)';

  static examples = ['<%= config.bin %> work-pool pause my-pool'];

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
    await this.confirm(`Pause work pool "${this.args.pool}" (its workers get no flow runs until it is resumed)?`);
    const detail = await updateWorkPool(ctx, this.args.pool, {is_paused: true}, {dryRun: this.flags['dry-run']});
    reportWrite(`paused work pool "${detail.pool.name}"`, this.flags['dry-run']);
    await this.printDetail(workPoolDetailView(detail));
  }
}
