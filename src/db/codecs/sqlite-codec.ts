import {usageError} from '../../errors.js';
import {BaseCodec} from './codec.js';
import {formatIsoInstant, formatSqliteInstant, parseInstant} from './instant.js';
import {LosslessNumber, parseJsonText} from './json-text.js';
import {pythonJsonDumps} from './python-json.js';

const MICROS_PER_DAY = 86_400_000_000;

// Values already in the contract's / Prefect's canonical form convert by re-punctuating
// (hot paths: every timestamp written by db seed, every one read by a list).
const CANONICAL_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z$/;
const CANONICAL_SQLITE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/;

/**
 * Prefect's SQLite encodings: naive-UTC text timestamps with six fractional digits,
 * intervals as a DATETIME offset from 1970-01-01, JSON as json.dumps text, booleans 0/1.
 */
export class SqliteCodec extends BaseCodec {
  readonly dialect = 'sqlite' as const;

  encodeTimestamp(iso: string | null | undefined): string | null {
    if (iso == null) return null;
    if (CANONICAL_ISO.test(iso)) return `${iso.slice(0, 10)} ${iso.slice(11, 26)}`;
    return formatSqliteInstant(parseInstant(iso));
  }

  decodeTimestamp(raw: unknown): string | null {
    if (raw == null) return null;
    const text = String(raw);
    if (CANONICAL_SQLITE.test(text)) return `${text.slice(0, 10)}T${text.slice(11)}Z`;
    return formatIsoInstant(parseInstant(text));
  }

  encodeInterval(seconds: number): string {
    if (!Number.isFinite(seconds) || seconds < 0) throw usageError(`invalid duration ${seconds}: expected seconds ≥ 0`);
    const micros = Math.round(seconds * 1e6);
    return formatSqliteInstant({seconds: Math.floor(micros / 1e6), micros: micros % 1e6});
  }

  decodeInterval(raw: unknown): number {
    // The server default '0' is stored as the integer 0 by NUMERIC affinity.
    if (typeof raw === 'number') return raw;
    const text = String(raw);
    if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
    const instant = parseInstant(text);
    const micros = instant.seconds * 1e6 + instant.micros;
    if (micros < 0 || micros > 1000 * 365 * MICROS_PER_DAY) throw new Error(`unreadable interval "${text}"`);
    return micros / 1e6;
  }

  encodeJson(value: unknown, type: 'json' | 'json_plain' = 'json'): string | null {
    // Prefect's JSON type maps None to SQL NULL; its plain sa.JSON columns store the text null.
    if (value === null || value === undefined) return type === 'json_plain' ? 'null' : null;
    return pythonJsonDumps(value);
  }

  decodeJson(raw: unknown): unknown {
    if (raw == null) return null;
    // JSON has NUMERIC affinity in SQLite: a numeric scalar comes back as a number (a
    // bigint where the reader asked for exact integers).
    if (typeof raw !== 'string') return typeof raw === 'bigint' ? new LosslessNumber(raw.toString()) : raw;
    return parseJsonText(raw);
  }

  encodeBoolean(value: boolean): number {
    return value ? 1 : 0;
  }
}
