import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import type {DeploymentRecord} from '../../repositories/deployments.js';
import type {CellFormatter, DetailSection} from '../../render/view.js';

export default class DeploymentInspect extends BaseCommand<typeof DeploymentInspect> {
  static summary = 'Show one deployment: schedules, parameters, work pool and queue, concurrency, infrastructure';

  static examples = ['<%= config.bin %> deployment inspect etl/nightly', '<%= config.bin %> deployment inspect 3f2a --json'];

  static args = {
    deployment: Args.string({description: 'FLOW/DEPLOYMENT, id, or unique id prefix', required: true}),
  };

  async run(): Promise<void> {
    const {findDeployment} = await import('../../repositories/deployments.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {describeSchedule} = await import('../../scheduling/describe.js');
    const {parseSchedule} = await import('../../scheduling/schedule.js');
    const {db, schema} = await this.connectToPrefect();
    const deployment = await findDeployment(repositoryContext(db, schema), this.args.deployment, Date.now());
    await this.printDetail({
      id: deployment.id,
      record: deployment,
      sections: (fmt) => [
        overview(deployment, fmt),
        {
          title: 'Schedules',
          headers: ['ID', 'SCHEDULE', 'ACTIVE', 'SLUG'],
          rows: deployment.schedules.map((s) => [
            s.id ?? '(legacy)',
            describeSchedule(parseSchedule(s.schedule)),
            s.active ? 'yes' : 'no',
            s.slug ?? '',
          ]),
        },
        {
          title: 'Configuration',
          fields: [
            ['Parameters', fmt.text(deployment.parameters)],
            ['Job variables', fmt.text(deployment.job_variables)],
            ['Pull steps', fmt.text(deployment.pull_steps)],
            ['Parameter schema', fmt.text(deployment.parameter_openapi_schema)],
            ['Enforce schema', yesNo(deployment.enforce_parameter_schema)],
          ],
        },
      ],
    });
  }
}

function overview(d: DeploymentRecord, fmt: CellFormatter): DetailSection {
  const limit = d.global_concurrency_limit;
  return {
    fields: [
      ['ID', d.id],
      ['Name', `${d.flow_name}/${d.name}`],
      ['Flow ID', d.flow_id],
      ['Description', d.description ?? ''],
      ['Version', d.version ?? ''],
      ['Paused', d.paused ? 'yes' : 'no'],
      ['Status', d.status],
      ['Work pool', d.work_pool_name ?? ''],
      ['Work queue', [d.work_queue_name, d.work_queue_id && fmt.dim(`(${d.work_queue_id})`)].filter(Boolean).join(' ')],
      ['Concurrency limit', d.concurrency_limit === null ? '' : String(d.concurrency_limit)],
      [
        'Global limit',
        limit ? `${limit.name}: ${limit.active_slots} of ${limit.limit} slots in use${limit.active ? '' : ' (inactive)'}` : '',
      ],
      ['Concurrency options', fmt.text(d.concurrency_options)],
      ['Tags', d.tags.join(', ')],
      ['Labels', fmt.text(d.labels)],
      ['Entrypoint', d.entrypoint ?? ''],
      ['Path', d.path ?? ''],
      ['Storage block', d.storage_document_id ?? ''],
      ['Infrastructure block', d.infrastructure_document_id ?? ''],
      ['Created', `${fmt.time(d.created)}${actor(d.created_by)}`],
      ['Updated', `${fmt.time(d.updated)}${actor(d.updated_by)}`],
      ['Last polled', fmt.time(d.last_polled)],
    ],
  };
}

function yesNo(value: boolean | null): string {
  return value === null ? '' : value ? 'yes' : 'no';
}

/** created_by / updated_by hold {id, type, display_value}: " by <display value>". */
function actor(value: unknown): string {
  if (!value || typeof value !== 'object') return '';
  const {display_value: name, type} = value as {display_value?: string; type?: string};
  return name || type ? ` by ${name ?? type}` : '';
}
