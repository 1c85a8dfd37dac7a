import {usageError} from '../../errors.js';
import {BaseCodec} from './codec.js';
import {formatIsoInstant, parseInstant} from './instant.js';
import {pythonJsonDumps} from './python-json.js';

const CANONICAL_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z$/;

const UNIT_SECONDS: Record<string, number> = {
  year: 365.25 * 86400,
  mon: 30 * 86400,
  day: 86400,
};

/**
 * PostgreSQL values as our per-connection type parsers hand them over (see
 * postgres-types.ts): timestamptz and interval as text, JSON parsed losslessly, booleans native.
 */
export class PostgresCodec extends BaseCodec {
  readonly dialect = 'postgres' as const;

  encodeTimestamp(iso: string | null | undefined): string | null {
    if (iso == null) return null;
    // Already the contract's canonical form (every value the SQLite codec decodes): nothing to re-format.
    if (CANONICAL_ISO.test(iso)) return iso;
    return formatIsoInstant(parseInstant(iso));
  }

  decodeTimestamp(raw: unknown): string | null {
    if (raw == null) return null;
    if (raw instanceof Date) return formatIsoInstant({seconds: Math.floor(raw.getTime() / 1000), micros: (raw.getTime() % 1000) * 1000});
    return formatIsoInstant(parseInstant(String(raw)));
  }

  encodeInterval(seconds: number): string {
    if (!Number.isFinite(seconds) || seconds < 0) throw usageError(`invalid duration ${seconds}: expected seconds ≥ 0`);
    return `${(Math.round(seconds * 1e6) / 1e6).toFixed(6)} seconds`;
  }

  /** Reads IntervalStyle 'postgres' text: "[N years] [N mons] [N days] [-]HH:MM:SS[.ffffff]". */
  decodeInterval(raw: unknown): number {
    if (typeof raw === 'number') return raw;
    const text = String(raw).trim();
    let micros = 0;
    const unitPattern = /(-?\d+)\s+(year|mon|day)s?/g;
    for (const match of text.matchAll(unitPattern)) micros += Number(match[1]) * UNIT_SECONDS[match[2]] * 1e6;
    const clock = /(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/.exec(text);
    if (clock) {
      const [, negative, h, m, s, fraction = ''] = clock;
      const clockMicros = ((+h * 60 + +m) * 60 + +s) * 1e6 + Number(fraction.padEnd(6, '0'));
      micros += negative ? -clockMicros : clockMicros;
    }
    return Math.round(micros) / 1e6;
  }

  encodeJson(value: unknown, type: 'json' | 'json_plain' = 'json'): string | null {
    if (value === null || value === undefined) return type === 'json_plain' ? 'null' : null;
    // Prefect binds json.dumps text to both; plain json keeps it as is, jsonb parses it into
    // numeric (exact at any size). Sent as text, never as a JS value pg would stringify itself.
    return pythonJsonDumps(value);
  }

  decodeJson(raw: unknown): unknown {
    return raw ?? null;
  }

  encodeBoolean(value: boolean): boolean {
    return value;
  }
}
