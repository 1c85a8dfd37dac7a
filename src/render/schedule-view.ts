import type {DeploymentRecord, DeploymentScheduleRecord} from '../repositories/deployments.js';
import {describeSchedule} from '../scheduling/describe.js';
import {nextRunTimes} from '../scheduling/next-runs.js';
import {parseSchedule} from '../scheduling/schedule.js';
import {localLabel} from '../scheduling/zoned-time.js';
import type {TableColumn} from './view.js';

/** A schedule row with what people need to read it: a description and its next run times. */
export interface ScheduleView extends DeploymentScheduleRecord {
  description: string;
  timezone: string | null;
  next_run_times: string[] | null;
}

/** `deployment schedule ls` records; `warn` hears about schedules whose times cannot be computed. */
export function scheduleViews(
  schedules: readonly DeploymentScheduleRecord[],
  startMillis: number,
  count: number,
  warn: (message: string) => void,
): ScheduleView[] {
  return schedules.map((record) => {
    const schedule = parseSchedule(record.schedule);
    const next = nextRunTimes(schedule, startMillis, count);
    if (next.error !== null) warn(`schedule ${record.id ?? '(legacy)'}: cannot compute run times: ${next.error}`);
    return {
      ...record,
      description: describeSchedule(schedule),
      timezone: schedule.kind === 'unknown' ? null : schedule.timezone,
      next_run_times: next.times,
    };
  });
}

export const SCHEDULE_COLUMNS: TableColumn<ScheduleView>[] = [
  {header: 'ID', key: 'id', cell: (s) => s.id ?? '(legacy)'},
  {header: 'SCHEDULE', key: 'description', cell: (s) => s.description},
  {header: 'ACTIVE', key: 'active', cell: (s) => (s.active ? 'yes' : 'no')},
  {header: 'SLUG', key: 'slug', cell: (s) => s.slug ?? ''},
  {
    header: 'NEXT RUNS',
    // Wall-clock times in the schedule's own zone, as Prefect labels scheduled runs.
    cell: (s) => (s.next_run_times ?? []).map((t) => localLabel(t, s.timezone ?? 'UTC')).join('\n'),
  },
];

export function schedulesNoun(deployment: DeploymentRecord): string {
  return `schedules of ${deployment.flow_name}/${deployment.name}`;
}
