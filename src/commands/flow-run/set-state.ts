import {Args} from '@oclif/core';

import {flowRunFilterFlags, flowRunFilterFrom, currentStateFilterFlags} from '../../cli/run-filter-flags.js';
import {selectionFlags} from '../../cli/selection-flags.js';
import {StateChangeCommand} from '../../cli/state-change-command.js';
import {stateTargetFlags} from '../../cli/state-target-flags.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class FlowRunSetState extends StateChangeCommand<typeof FlowRunSetState> {
  static summary = 'Propose a new state to flow runs, decided by Prefect\'s orchestration rules';

  static description =
    'Each run gets what Prefect\'s server would answer: ACCEPT, REJECT (maybe to another state), WAIT or ABORT; exit 4 unless every run was accepted. ' +
    'A direct write fires no events and signals no process. Select runs by id, "-" (ids on stdin), or the filters of flow-run ls (--current-state-type / --current-state filter on the current state).';

  static examples = [
    '<%= config.bin %> flow-run set-state 0199a3c4 --state Crashed --message "zombie: worker died"',
    '<%= config.bin %> flow-run set-state --current-state Late --deployment etl/nightly --state-type CANCELLED --yes',
    '<%= config.bin %> flow-run set-state 0199a3c4 --state-type COMPLETED --force --dry-run --json',
  ];

  static strict = false;

  static args = {
    id: Args.string({description: 'flow run id or unique prefix; more may follow; "-" reads ids from stdin'}),
  };

  static flags = {
    ...stateTargetFlags,
    ...flowRunFilterFlags,
    ...currentStateFilterFlags,
    ...selectionFlags,
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {proposedStateFrom} = await import('../../cli/state-target-flags.js');
    const {intentOfProposal} = await import('../../services/state-intent.js');
    const {flags} = this;
    const proposed = proposedStateFrom(flags);
    const policy = flags.force ? 'minimal' : 'core';
    await this.changeStates({
      kind: 'flow_run',
      filter: await flowRunFilterFrom(flags, 'current-state'),
      all: flags.all,
      limit: flags.limit,
      question: (count) => `Propose ${proposed.name ?? proposed.type} to ${count.toLocaleString('en-US')} flow runs?`,
      intent: intentOfProposal(proposed.type, proposed.name),
      propose: () => ({proposed, policy}),
    });
  }
}
