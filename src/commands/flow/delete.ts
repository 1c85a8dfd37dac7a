import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class FlowDelete extends BaseCommand<typeof FlowDelete> {
  static summary = 'Delete a flow with its deployments, its runs and everything under them';

  static description = `The runs go as \`flow-run delete\` deletes them (deployment slots given back, states, task runs, inputs, logs, artifacts with their collections repaired, cache rows and subflow runs), in batches; then the deployments (with their schedules, versions and deployment:<id> concurrency limits, as Prefect's deployment delete removes them) and the flow. Prompts on a terminal; needs --yes otherwise. --dry-run prints the counts and writes nothing.`;

  static examples = ['<%= config.bin %> flow delete etl --dry-run', '<%= config.bin %> flow delete 0199a3c4 --yes --json'];

  static args = {
    flow: Args.string({description: 'flow name, id, or unique id prefix', required: true}),
  };

  static flags = {
    ...writeFlags,
    'keep-subflows': Flags.boolean({description: 'keep subflow runs of other flows (they become top-level runs) instead of deleting them'}),
  };

  async run(): Promise<void> {
    const {repositoryContext} = await import('../../repositories/common.js');
    const {deleteFlow, findFlowToDelete, flowRunSample} = await import('../../services/flow-deletion.js');
    const {sampleLines} = await import('../../cli/selection-sample.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const flow = await findFlowToDelete(ctx, this.args.flow);
    await this.confirm(
      `Delete flow "${flow.name}" with its deployments and ${flow.runs.toLocaleString('en-US')} flow run${flow.runs === 1 ? '' : 's'}?`,
      sampleLines(await flowRunSample(ctx, flow.id, 5), flow.runs, `flow runs of ${flow.name}`),
    );
    const dryRun = Boolean(this.flags['dry-run']);
    const {longestBatchMs, ...result} = await deleteFlow(ctx, flow, {dryRun, keepSubflows: Boolean(this.flags['keep-subflows']), onProgress: await this.progressListener()});
    this.clearProgress();
    if (this.flags.quiet) this.writeStdout(result.id + '\n');
    else if (this.outputFormat === 'table') {
      await this.printList({
        noun: 'tables',
        rows: Object.entries(result.deleted).map(([table, n]) => ({table, deleted: n, updated: (result.updated as Record<string, number>)[table] ?? 0})),
        columns: [
          {header: 'TABLE', key: 'table', cell: (r) => r.table},
          {header: 'DELETED', key: 'deleted', cell: (r) => r.deleted.toLocaleString('en-US')},
          {header: 'UPDATED', key: 'updated', cell: (r) => r.updated.toLocaleString('en-US')},
        ],
      });
    } else await this.printDetail({id: result.id, record: result, sections: () => []});
    process.stderr.write(`${dryRun ? 'Would delete' : 'Deleted'} flow "${flow.name}"; longest lock hold ${Math.round(longestBatchMs)} ms${dryRun ? ' (dry run: nothing written)' : ''}\n`);
  }
}
