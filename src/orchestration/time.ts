/**
 * Microsecond time arithmetic on ISO strings. Date keeps milliseconds only, and Prefect's
 * timestamps (and its 1 µs bump) need microseconds: epoch microseconds fit a double exactly.
 */
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/i;

export function toMicros(iso: string): number {
  const m = ISO.exec(iso.trim());
  if (!m) throw new Error(`not an ISO-8601 time: ${iso.slice(0, 40)}`);
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes = (digits.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const micros = Number(frac.padEnd(6, '0').slice(0, 6));
  return (ms - offsetMinutes * 60_000) * 1000 + micros;
}

export function fromMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = micros - ms * 1000;
  const base = new Date(ms).toISOString(); // yyyy-mm-ddThh:mm:ss.mmmZ
  return `${base.slice(0, 23)}${String(rest).padStart(3, '0')}Z`;
}

/** The same instant, written ISO µs Z. */
export function normalizeIso(iso: string): string {
  return fromMicros(toMicros(iso));
}

export function addSeconds(iso: string, seconds: number): string {
  return fromMicros(toMicros(iso) + Math.round(seconds * 1e6));
}

/** b − a in seconds. */
export function secondsBetween(a: string, b: string): number {
  return (toMicros(b) - toMicros(a)) / 1e6;
}
