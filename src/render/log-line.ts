import {logLevelName, type LogRecord} from '../repositories/logs.js';

/**
 * One log in Prefect's console layout: "12:00:01.234 | INFO    | prefect.flow_runs - message".
 * Times are UTC with milliseconds cut, not rounded, as Python's %(msecs)03d does; `withDate`
 * puts the date in front, as `prefect flow-run logs` prints it.
 */
export function formatLogLine(log: LogRecord, withDate: boolean): string {
  const [date, time] = log.timestamp.replace('Z', '').split('T');
  const clock = time.slice(0, 12);
  const when = withDate ? `${date} ${clock}` : clock;
  return `${when} | ${logLevelName(log.level).padEnd(7)} | ${log.name} - ${log.message}`;
}
