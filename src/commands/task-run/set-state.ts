import {Args} from '@oclif/core';

import {currentStateFilterFlags, taskRunFilterFlags, taskRunFilterFrom} from '../../cli/run-filter-flags.js';
import {selectionFlags} from '../../cli/selection-flags.js';
import {StateChangeCommand} from '../../cli/state-change-command.js';
import {stateTargetFlags} from '../../cli/state-target-flags.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class TaskRunSetState extends StateChangeCommand<typeof TaskRunSetState> {
  static summary = 'Propose a new state to task runs, decided by Prefect\'s orchestration rules';

  static description =
    'Each run gets what Prefect\'s server would answer: ACCEPT, REJECT (maybe to another state), WAIT or ABORT; exit 4 unless every run was accepted. ' +
    'A proposal with state_details.deferred goes through Prefect\'s background-task policy, even with --force, as on the server. A direct write fires no events and signals no process.';

  static examples = [
    '<%= config.bin %> task-run set-state 0199a3c4 --state-type FAILED --message "stuck"',
    '<%= config.bin %> task-run set-state --flow-run 0199a3c4 --current-state-type RUNNING --state-type CRASHED --yes',
  ];

  static strict = false;

  static args = {
    id: Args.string({description: 'task run id or unique prefix; more may follow; "-" reads ids from stdin'}),
  };

  static flags = {
    ...stateTargetFlags,
    ...taskRunFilterFlags,
    ...currentStateFilterFlags,
    ...selectionFlags,
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {proposedStateFrom} = await import('../../cli/state-target-flags.js');
    const {intentOfProposal} = await import('../../services/state-intent.js');
    const {flags} = this;
    const proposed = proposedStateFrom(flags);
    // As the server's set_task_run_state chooses: a deferred (background) task's policy even under force.
    const policy = proposed.state_details?.deferred ? 'background-task' : flags.force ? 'minimal' : 'core';
    await this.changeStates({
      kind: 'task_run',
      filter: await taskRunFilterFrom(flags, 'current-state'),
      all: flags.all,
      limit: flags.limit,
      question: (count) => `Propose ${proposed.name ?? proposed.type} to ${count.toLocaleString('en-US')} task runs?`,
      intent: intentOfProposal(proposed.type, proposed.name),
      propose: () => ({proposed, policy}),
      cacheKey: proposed.state_details?.cache_key ?? null,
    });
  }
}
