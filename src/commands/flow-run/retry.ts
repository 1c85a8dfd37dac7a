import {Args} from '@oclif/core';

import {flowRunFilterFlags, flowRunFilterFrom, stateFilterFlags} from '../../cli/run-filter-flags.js';
import {selectionFlags} from '../../cli/selection-flags.js';
import {StateChangeCommand} from '../../cli/state-change-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class FlowRunRetry extends StateChangeCommand<typeof FlowRunRetry> {
  static summary = 'Retry finished flow runs of deployments as `prefect flow-run retry` does';

  static description =
    'Each terminal run with a deployment is forced to Scheduled "Retried via CLI" for a worker to pick up. ' +
    'A run that is not terminal, or has no deployment, is refused with the reason (exit 4).';

  static examples = [
    '<%= config.bin %> flow-run retry 0199a3c4',
    '<%= config.bin %> flow-run retry --state-type FAILED,CRASHED --deployment etl/nightly --ended-since 1d --yes',
  ];

  static strict = false;

  static args = {
    id: Args.string({description: 'flow run id or unique prefix; more may follow; "-" reads ids from stdin'}),
  };

  static flags = {
    ...flowRunFilterFlags,
    ...stateFilterFlags,
    ...selectionFlags,
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {retryProposal} = await import('../../services/retry-flow-runs.js');
    const {flags} = this;
    await this.changeStates({
      kind: 'flow_run',
      filter: await flowRunFilterFrom(flags),
      all: flags.all,
      limit: flags.limit,
      question: (count) => `Retry ${count.toLocaleString('en-US')} flow runs?`,
      intent: {types: ['SCHEDULED'], label: 'Scheduled'},
      propose: retryProposal,
    });
  }
}
