import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class FlowInspect extends BaseCommand<typeof FlowInspect> {
  static summary = 'Show one flow with its run counts by state type and its deployments';

  static examples = ['<%= config.bin %> flow inspect my-etl', '<%= config.bin %> flow inspect 3f2a --json'];

  static args = {
    flow: Args.string({description: 'flow name, id, or unique id prefix', required: true}),
  };

  async run(): Promise<void> {
    const flows = await import('../../repositories/flows.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const flow = await flows.findFlow(ctx, this.args.flow);
    const runCounts = await flows.countFlowRunsByStateType(ctx, flow.id);
    const deployments = await flows.listFlowDeployments(ctx, flow.id);
    const record = {...flow, flow_run_counts: runCounts, deployments};
    await this.printDetail({
      id: flow.id,
      record,
      sections: (fmt) => [
        {
          fields: [
            ['ID', flow.id],
            ['Name', flow.name],
            ['Created', fmt.time(flow.created)],
            ['Updated', fmt.time(flow.updated)],
            ['Tags', flow.tags.join(', ')],
            ['Labels', fmt.text(flow.labels)],
          ],
        },
        {
          title: 'Flow runs by state',
          headers: ['STATE TYPE', 'RUNS'],
          rows: Object.entries(runCounts).map(([type, count]) => [fmt.state(type, type), String(count)]),
        },
        {
          title: 'Deployments',
          headers: ['ID', 'NAME', 'PAUSED'],
          rows: deployments.map((d) => [d.id, d.name, d.paused === null ? '' : d.paused ? 'yes' : 'no']),
        },
      ],
    });
  }
}
