import {Args, Flags} from '@oclif/core';

import {flowRunFilterFlags, flowRunFilterFrom, stateFilterFlags} from '../../cli/run-filter-flags.js';
import {selectionFlags} from '../../cli/selection-flags.js';
import {StateChangeCommand} from '../../cli/state-change-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class FlowRunCancel extends StateChangeCommand<typeof FlowRunCancel> {
  static summary = 'Cancel flow runs as `prefect flow-run cancel` does, and their task runs and subflows as the server\'s cleanup does';

  static description =
    'Proposes Cancelling (Prefect\'s rules write Cancelled at once for runs with no infrastructure); --force-cancelled writes Cancelled directly, for runs stuck in Cancelling and zombies. ' +
    'For every run that ends Cancelled, non-terminal task runs are forced to Cancelled and subflows go to Cancelling (with a deployment) or Cancelled. ' +
    'A direct write signals no process and fires no event: a worker or a running flow does not hear of it.';

  static examples = [
    '<%= config.bin %> flow-run cancel 0199a3c4',
    '<%= config.bin %> flow-run cancel --state-type CANCELLING --started-before 1d --force-cancelled --yes',
  ];

  static strict = false;

  static args = {
    id: Args.string({description: 'flow run id or unique prefix; more may follow; "-" reads ids from stdin'}),
  };

  static flags = {
    'force-cancelled': Flags.boolean({description: 'write Cancelled directly (forced), skipping Cancelling'}),
    ...flowRunFilterFlags,
    ...stateFilterFlags,
    ...selectionFlags,
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {cancelChildren, cancelProposal, newlyCancelled} = await import('../../services/cancel-flow-runs.js');
    const {flags} = this;
    const children = {taskRuns: 0, subflowRuns: 0};
    try {
      await this.changeStates({
        kind: 'flow_run',
        filter: await flowRunFilterFrom(flags),
        all: flags.all,
        limit: flags.limit,
        notice: 'Note: a direct database write signals no process and fires no event; running flows and workers are not told of the cancellation.',
        question: (count) => `Cancel ${count.toLocaleString('en-US')} flow runs?`,
        intent: {types: ['CANCELLING', 'CANCELLED'], label: 'Cancelling or Cancelled'},
        propose: cancelProposal(flags['force-cancelled']),
        afterBatch: (ctx, trx, outcome) => cancelChildren(ctx, trx, newlyCancelled(outcome.results, outcome.writtenIds), children),
      });
    } finally {
      if (children.taskRuns + children.subflowRuns > 0) {
        const verb = flags['dry-run'] ? 'would also change' : 'also changed';
        process.stderr.write(`${verb} ${children.taskRuns.toLocaleString('en-US')} task runs and ${children.subflowRuns.toLocaleString('en-US')} subflow runs of cancelled runs\n`);
      }
    }
  }
}
