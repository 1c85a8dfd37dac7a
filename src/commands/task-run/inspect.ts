import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {timelineSection} from '../../render/timeline.js';
import type {DetailView} from '../../render/view.js';
import type {StateHistoryEntry} from '../../repositories/run-states.js';
import type {TaskRunRecord} from '../../repositories/task-runs.js';

type TaskRunDetail = TaskRunRecord & {state_history: StateHistoryEntry[]};

export default class TaskRunInspect extends BaseCommand<typeof TaskRunInspect> {
  static summary = 'Show task runs with their state history';

  static description =
    'Several ids, or "-" to read ids from stdin, print each run; JSON output is then an array (one object per line with -o jsonl).';

  static examples = [
    '<%= config.bin %> task-run inspect 0199a3c4',
    '<%= config.bin %> task-run ls --flow-run 0199a3c4 -q | <%= config.bin %> task-run inspect - --json',
  ];

  static strict = false;

  static args = {
    id: Args.string({description: 'task run id or unique id prefix; more may follow; "-" reads ids from stdin', required: true}),
  };

  async run(): Promise<void> {
    const {readTaskRun} = await import('../../repositories/task-runs.js');
    const {readStateHistory} = await import('../../repositories/run-states.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {ids, several} = await this.requestedIds();
    if (ids.length === 0) return this.reportNothingSelected('task runs');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const details: TaskRunDetail[] = [];
    for (const id of ids) {
      const run = await readTaskRun(ctx, id);
      details.push({...run, state_history: await readStateHistory(ctx, 'task_run', run.id)});
    }
    if (!several) return this.printDetail(detailView(details[0]));
    return this.printDetails(details, 'task runs', detailView);
  }
}

function detailView(run: TaskRunDetail): DetailView {
  return {
    id: run.id,
    record: run,
    sections: (fmt) => [
      {
        fields: [
          ['ID', run.id],
          ['Name', run.name],
          ['Task key', run.task_key],
          ['Flow run', run.flow_run_id ?? ''],
          ['State', `${fmt.state(run.state_type, run.state_name)}${run.state?.message ? ` — ${run.state.message}` : ''}`],
          ['Expected start', fmt.time(run.expected_start_time)],
          ['Start', fmt.time(run.start_time)],
          ['End', fmt.time(run.end_time)],
          ['Run time', fmt.duration(run.estimated_run_time)],
          ['Run count', String(run.run_count)],
          ['Cache key', run.cache_key ?? ''],
          ['Tags', run.tags.join(', ')],
          ['Created', fmt.time(run.created)],
        ],
      },
      timelineSection(run.state_history, fmt),
    ],
  };
}
