import {DateTime, Duration} from 'luxon';

/**
 * A timestamp for people: "3 minutes ago" today; on any other day its UTC date and time come
 * first ("2026-11-30 14:02 (7 days ago)"), since "7 days ago" alone cannot be matched against a
 * log or an incident. --absolute gives the exact UTC instant.
 */
export function formatTime(iso: string | null | undefined, absolute: boolean, nowMillis = Date.now()): string {
  if (!iso) return '';
  if (absolute) return iso;
  const time = DateTime.fromISO(iso, {zone: 'utc'});
  if (!time.isValid) return iso;
  const relative = time.toRelative({base: DateTime.fromMillis(nowMillis, {zone: 'utc'})}) ?? iso;
  return isUtcToday(iso, nowMillis) ? relative : `${time.toFormat('yyyy-MM-dd HH:mm')} (${relative})`;
}

/** Whether an ISO-8601 UTC instant falls on today's UTC date. */
export function isUtcToday(iso: string, nowMillis = Date.now()): boolean {
  return iso.slice(0, 10) === new Date(nowMillis).toISOString().slice(0, 10);
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
