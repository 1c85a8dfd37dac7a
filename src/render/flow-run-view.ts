import type {FlowRunDetail, FlowRunTableExtras} from '../services/flow-run-details.js';
import {timelineSection} from './timeline.js';
import type {DetailView} from './view.js';

/** `flow-run inspect`'s view of one run. */
export function flowRunDetailView(run: FlowRunDetail, extras: FlowRunTableExtras | undefined): DetailView {
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
