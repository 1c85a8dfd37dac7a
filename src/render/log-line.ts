import {logLevelName, type LogRecord} from '../repositories/logs.js';

/**
 * One log in Prefect's console layout: "12:00:01.234 | INFO    | prefect.flow_runs - message".
 * Times are UTC with milliseconds cut, not rounded, as Python's %(msecs)03d does. The date goes
 * in front, as `prefect flow-run logs` prints it, with `alwaysDate` and whenever the log is not
 * from today (UTC): a bare clock time from last week reads as this morning's.
 */
export function formatLogLine(log: LogRecord, alwaysDate: boolean, todayIso = new Date().toISOString().slice(0, 10)): string {
  const [date, time] = log.timestamp.replace('Z', '').split('T');
  const clock = time.slice(0, 12);
  const when = alwaysDate || date !== todayIso ? `${date} ${clock}` : clock;
  return `${when} | ${logLevelName(log.level).padEnd(7)} | ${log.name} - ${log.message}`;
}
