import {DateTime, Duration} from 'luxon';

/** A timestamp for people: "3 minutes ago", or the exact UTC instant with --absolute. */
export function formatTime(iso: string | null | undefined, absolute: boolean): string {
  if (!iso) return '';
  if (absolute) return iso;
  const time = DateTime.fromISO(iso, {zone: 'utc'});
  return time.isValid ? (time.toRelative() ?? iso) : iso;
}

/** Seconds as "1h 2m 3s" / "4.25s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '';
  if (seconds < 60) return `${Number(seconds.toFixed(2))}s`;
  const duration = Duration.fromObject({seconds: Math.round(seconds)}).shiftTo('days', 'hours', 'minutes', 'seconds');
  const parts: string[] = [];
  if (duration.days) parts.push(`${duration.days}d`);
  if (duration.hours) parts.push(`${duration.hours}h`);
  if (duration.minutes) parts.push(`${duration.minutes}m`);
  if (duration.seconds) parts.push(`${duration.seconds}s`);
  return parts.join(' ');
}
