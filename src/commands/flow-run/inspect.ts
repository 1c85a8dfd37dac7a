import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import type {FlowRunDetail, FlowRunTableExtras} from '../../services/flow-run-details.js';

export default class FlowRunInspect extends BaseCommand<typeof FlowRunInspect> {
  static summary = 'Show flow runs with their state history, task runs by state, subflows and parent';

  static description =
    'Several ids, or "-" to read ids from stdin, print each run; JSON output is then an array (one object per line with -o jsonl).';

  static examples = [
    '<%= config.bin %> flow-run inspect 0199a3c4',
    '<%= config.bin %> flow-run ls --state-type FAILED -q | <%= config.bin %> flow-run inspect - --json',
  ];

  static strict = false;

  static args = {
    id: Args.string({description: 'flow run id or unique id prefix; more may follow; "-" reads ids from stdin', required: true}),
  };

  async run(): Promise<void> {
    const {readFlowRunDetail, readFlowRunTableExtras} = await import('../../services/flow-run-details.js');
    const {flowRunDetailView} = await import('../../render/flow-run-view.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {ids, several} = await this.requestedIds();
    if (ids.length === 0) return this.reportNothingSelected('flow runs');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const details: FlowRunDetail[] = [];
    const extras = new Map<string, FlowRunTableExtras>();
    for (const id of ids) {
      const detail = await readFlowRunDetail(ctx, id);
      details.push(detail);
      if (this.outputFormat === 'table') extras.set(detail.id, await readFlowRunTableExtras(ctx, detail));
    }
    const view = (run: FlowRunDetail) => flowRunDetailView(run, extras.get(run.id));
    if (!several) return this.printDetail(view(details[0]));
    return this.printDetails(details, 'flow runs', view);
  }
}
