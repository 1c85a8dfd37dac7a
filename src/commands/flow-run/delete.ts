import {Args} from '@oclif/core';

import {RunDeleteCommand, runDeleteFlags} from '../../cli/run-delete-command.js';
import {flowRunFilterFlags, flowRunFilterFrom, stateFilterFlags} from '../../cli/run-filter-flags.js';

export default class FlowRunDelete extends RunDeleteCommand<typeof FlowRunDelete> {
  static summary = 'Delete flow runs with everything under them: subflows, task runs, states, logs, artifacts';

  static description = `Does what Prefect's DELETE /flow_runs/{id} does (a Pending, Running or Cancelling run gives its deployment's concurrency slot back; states, task runs and flow run inputs cascade) and also removes what Prefect leaves behind: the runs' logs, artifacts (each artifact collection repointed to the newest remaining version of its key, or removed), task_run_state_cache rows and, unless --keep-subflows, subflow runs at any depth.

Select runs by id (or "-" to read ids from stdin), by the filters of \`flow-run ls\`, or with --all. Prompts on a terminal; needs --yes otherwise. Works in batches of at most 500 runs, each its own transaction: re-running an interrupted delete finishes it.`;

  static examples = [
    '<%= config.bin %> flow-run delete 0199a3c4 --yes',
    '<%= config.bin %> flow-run delete --state-type COMPLETED --ended-before 30d --dry-run',
    '<%= config.bin %> flow-run ls --state-type FAILED -q --all | <%= config.bin %> flow-run delete - --yes --json',
  ];

  static strict = false;

  static args = {
    id: Args.string({description: 'flow run id or unique id prefix; more may follow; "-" reads ids from stdin'}),
  };

  static flags = {
    ...flowRunFilterFlags,
    ...stateFilterFlags,
    ...runDeleteFlags,
  };

  async run(): Promise<void> {
    const {selectFlowRuns} = await import('../../services/run-selection.js');
    const {ids, fromStdin} = await this.requestedIds();
    const filter = await flowRunFilterFrom(this.flags);
    await this.deleteSelected('flow_run', (ctx) => selectFlowRuns(ctx, {ids, fromStdin, filter, all: this.flags.all, limit: this.flags.limit}));
  }
}
