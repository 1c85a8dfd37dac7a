/**
 * Microsecond time arithmetic on ISO strings. Date keeps milliseconds only, and Prefect's
 * timestamps (and its 1 µs bump) need microseconds: epoch microseconds fit a double exactly.
 */
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/i;

/** "YYYY-MM-DDTHH:MM:SS.ffffffZ", the form the engine writes and reads most. */
function isCanonical(iso: string): boolean {
  return iso.length === 27 && iso[10] === 'T' && iso[19] === '.' && iso[26] === 'Z';
}

export function toMicros(iso: string): number {
  if (isCanonical(iso)) {
    const ms = Date.parse(`${iso.slice(0, 19)}Z`);
    const micros = Number(iso.slice(20, 26));
    if (Number.isFinite(ms) && Number.isInteger(micros)) return ms * 1000 + micros;
  }
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
  return isCanonical(iso) && Number.isFinite(Date.parse(`${iso.slice(0, 19)}Z`)) ? iso : fromMicros(toMicros(iso));
}

export function addSeconds(iso: string, seconds: number): string {
  return fromMicros(toMicros(iso) + Math.round(seconds * 1e6));
}
