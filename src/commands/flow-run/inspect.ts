import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {timelineSection} from '../../render/timeline.js';
import type {DetailView} from '../../render/view.js';
import type {FlowRunRecord, FlowRunSummary} from '../../repositories/flow-runs.js';
import type {StateHistoryEntry} from '../../repositories/run-states.js';

type FlowRunDetail = FlowRunRecord & {
  state_history: StateHistoryEntry[];
  task_run_counts: Record<string, number>;
  subflow_runs: FlowRunSummary[];
  parent_flow_run: FlowRunSummary | null;
};

/** What only the table shows; JSON keeps the API's flow run fields. */
interface TableExtras {
  deploymentLabel: string | null;
}

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
    const flowRuns = await import('../../repositories/flow-runs.js');
    const {readStateHistory} = await import('../../repositories/run-states.js');
    const {countTaskRunsByStateType} = await import('../../repositories/task-runs.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {deploymentLabel} = await import('../../repositories/deployments.js');
    const {ids, several} = await this.requestedIds();
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const details: FlowRunDetail[] = [];
    const extras = new Map<string, TableExtras>();
    for (const id of ids) {
      const run = await flowRuns.readFlowRun(ctx, id);
      details.push({
        ...run,
        state_history: await readStateHistory(ctx, 'flow_run', run.id),
        task_run_counts: await countTaskRunsByStateType(ctx, run.id),
        subflow_runs: await flowRuns.listSubflowRuns(ctx, run.id),
        parent_flow_run: await flowRuns.findParentFlowRun(ctx, run.parent_task_run_id),
      });
      if (this.outputFormat === 'table' && run.deployment_id) extras.set(run.id, {deploymentLabel: await deploymentLabel(ctx, run.deployment_id)});
    }
    const view = (run: FlowRunDetail) => detailView(run, extras.get(run.id));
    if (!several) return this.printDetail(view(details[0]));
    return this.printDetails(details, 'flow runs', view);
  }
}

function detailView(run: FlowRunDetail, extras: TableExtras | undefined): DetailView {
  return {
    id: run.id,
    record: run,
    sections: (fmt) => [
      {
        fields: [
          ['ID', run.id],
          ['Name', run.name],
          ['Flow', `${run.flow_name ?? ''} (${run.flow_id})`],
          ['State', `${fmt.state(run.state_type, run.state_name)}${run.state?.message ? ` — ${run.state.message}` : ''}`],
          ['Deployment', deploymentCell(run.deployment_id, extras?.deploymentLabel ?? null)],
          ['Work queue', run.work_queue_name ?? run.work_queue_id ?? ''],
          ['Expected start', fmt.time(run.expected_start_time)],
          ['Start', fmt.time(run.start_time)],
          ['End', fmt.time(run.end_time)],
          ['Run time', fmt.duration(run.estimated_run_time)],
          ['Start delay', fmt.duration(run.estimated_start_time_delta)],
          ['Run count', String(run.run_count)],
          ['Tags', run.tags.join(', ')],
          ['Parameters', fmt.text(run.parameters)],
          ['Parent flow run', run.parent_flow_run ? `${run.parent_flow_run.name} (${run.parent_flow_run.id})` : ''],
          ['Created', fmt.time(run.created)],
        ],
      },
      timelineSection(run.state_history, fmt),
      {
        title: 'Task runs by state',
        headers: ['STATE TYPE', 'TASK RUNS'],
        rows: Object.entries(run.task_run_counts).map(([type, count]) => [fmt.state(type, type), String(count)]),
      },
      {
        title: 'Subflow runs',
        headers: ['ID', 'NAME', 'STATE'],
        rows: run.subflow_runs.map((s) => [s.id, s.name, fmt.state(s.state_type, s.state_name)]),
      },
    ],
  };
}

function deploymentCell(id: string | null, label: string | null): string {
  if (id === null) return '';
  return label === null ? `(deleted) ${id}` : `${label} (${id})`;
}
