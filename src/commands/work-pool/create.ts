import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class WorkPoolCreate extends BaseCommand<typeof WorkPoolCreate> {
  static summary = 'Create a work pool with its "default" queue, as Prefect\'s server does';

  static description =
    'Without --base-job-template the pool starts with an empty template, as the API stores it; a worker of that type fills in its ' +
    'default template when it first connects. Names starting with "prefect" are reserved (exit 4).';

  static examples = [
    '<%= config.bin %> work-pool create my-pool --type process',
    '<%= config.bin %> work-pool create k8s --type kubernetes --base-job-template template.json --paused --concurrency-limit 10',
  ];

  static args = {name: Args.string({description: 'name of the new work pool', required: true})};

  static flags = {
    type: Flags.string({char: 't', description: 'work pool type (process, docker, kubernetes, …)', required: true}),
    'base-job-template': Flags.string({description: 'path to a JSON file holding the base job template'}),
    paused: Flags.boolean({description: 'create the pool paused'}),
    'concurrency-limit': Flags.integer({description: 'most flow runs in Pending or Running at once', min: 0}),
    description: Flags.string({description: 'description of the pool'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {createWorkPool} = await import('../../services/work-pools.js');
    const {readBaseJobTemplate} = await import('../../services/base-job-template.js');
    const {workPoolDetailView} = await import('../../render/work-pool-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const template = this.flags['base-job-template'] ? readBaseJobTemplate(this.flags['base-job-template']) : undefined;
    const {db, schema} = await this.connectForWrite();
    const detail = await createWorkPool(
      repositoryContext(db, schema),
      {
        name: this.args.name,
        type: this.flags.type,
        description: this.flags.description,
        baseJobTemplate: template,
        paused: this.flags.paused,
        concurrencyLimit: this.flags['concurrency-limit'],
      },
      {dryRun: this.flags['dry-run']},
    );
    reportWrite(`created work pool "${detail.pool.name}" with its default queue`, this.flags['dry-run']);
    await this.printDetail(workPoolDetailView(detail));
  }
}
