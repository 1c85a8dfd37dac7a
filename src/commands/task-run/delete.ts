import {Args} from '@oclif/core';

import {RunDeleteCommand, runDeleteFlags} from '../../cli/run-delete-command.js';
import {stateFilterFlags, taskRunFilterFlags, taskRunFilterFrom} from '../../cli/run-filter-flags.js';

export default class TaskRunDelete extends RunDeleteCommand<typeof TaskRunDelete> {
  static summary = 'Delete task runs with their states, logs, artifacts, cache rows and subflow runs';

  static description = `Does what Prefect's DELETE /task_runs/{id} does (the states cascade) and also removes the task runs' logs and artifacts (by task_run_id; artifact collections repointed or removed), their task_run_state_cache rows and, unless --keep-subflows, the subflow runs they are the parent task of, at any depth (with --keep-subflows those become top-level runs, as in Prefect).

Select task runs by id (or "-" for stdin), by the filters of \`task-run ls\`, or with --all. Prompts on a terminal; needs --yes otherwise. Batches of at most 500 runs, each its own transaction.`;

  static examples = [
    '<%= config.bin %> task-run delete 0199a3c4 --yes',
    '<%= config.bin %> task-run delete --flow-run 0199a3c4 --state-type FAILED --dry-run',
  ];

  static strict = false;

  static args = {
    id: Args.string({description: 'task run id or unique id prefix; more may follow; "-" reads ids from stdin'}),
  };

  static flags = {
    ...taskRunFilterFlags,
    ...stateFilterFlags,
    ...runDeleteFlags,
  };

  async run(): Promise<void> {
    const {selectTaskRuns} = await import('../../services/run-selection.js');
    const {ids, fromStdin} = await this.requestedIds();
    const filter = await taskRunFilterFrom(this.flags);
    await this.deleteSelected('task_run', (ctx) => selectTaskRuns(ctx, {ids, fromStdin, filter, all: this.flags.all, limit: this.flags.limit}));
  }
}
