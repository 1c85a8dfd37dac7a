import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';
import {usageError} from '../../errors.js';

export default class WorkPoolUpdate extends BaseCommand<typeof WorkPoolUpdate> {
  static summary = "Change a work pool's description, base job template or concurrency limit";

  static examples = [
    '<%= config.bin %> work-pool update my-pool --description "GPU jobs"',
    '<%= config.bin %> work-pool update my-pool --base-job-template template.json --concurrency-limit 5',
  ];

  static args = {pool: Args.string({description: 'work pool name, id, or unique id prefix', required: true})};

  static flags = {
    description: Flags.string({description: 'new description'}),
    'base-job-template': Flags.string({description: 'path to a JSON file holding the new base job template'}),
    'concurrency-limit': Flags.integer({description: 'most flow runs in Pending or Running at once', min: 0}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {updateWorkPool} = await import('../../services/work-pools.js');
    const {readBaseJobTemplate} = await import('../../services/base-job-template.js');
    const {workPoolDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const changes = {
      ...(this.flags.description === undefined ? {} : {description: this.flags.description}),
      ...(this.flags['base-job-template'] === undefined ? {} : {base_job_template: readBaseJobTemplate(this.flags['base-job-template'])}),
      ...(this.flags['concurrency-limit'] === undefined ? {} : {concurrency_limit: this.flags['concurrency-limit']}),
    };
    if (Object.keys(changes).length === 0) throw usageError('nothing to change: give --description, --base-job-template or --concurrency-limit');
    const {db, schema} = await this.connectForWrite();
    const detail = await updateWorkPool(repositoryContext(db, schema), this.args.pool, changes, {dryRun: this.flags['dry-run']});
    reportWrite(`updated work pool "${detail.pool.name}"`, this.flags['dry-run']);
    await this.printDetail(workPoolDetailView(detail));
  }
}
