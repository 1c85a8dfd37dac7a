import type {LogicalType} from '../../schema/types.js';
import type {Dialect} from '../dialect.js';

export type {LogicalType};

/**
 * Converts between the domain's values and what one dialect stores. Domain values:
 * ids lowercase strings, timestamps ISO-8601 UTC strings with microseconds and Z,
 * intervals seconds as numbers, JSON parsed, booleans true/false, enums by name.
 * Nothing else in the code formats a value for the database.
 */
export interface Codec {
  readonly dialect: Dialect;
  encodeTimestamp(iso: string | null | undefined): string | null;
  decodeTimestamp(raw: unknown): string | null;
  encodeInterval(seconds: number): string;
  decodeInterval(raw: unknown): number;
  encodeJson(value: unknown, type?: 'json' | 'json_plain'): string | null;
  decodeJson(raw: unknown): unknown;
  encodeBoolean(value: boolean): number | boolean;
  decodeBoolean(raw: unknown): boolean | null;
  encodeUuid(id: string | null | undefined): string | null;
  decodeUuid(raw: unknown): string | null;
  encode(type: LogicalType, value: unknown): unknown;
  decode(type: LogicalType, raw: unknown): unknown;
  /** decode(type, ·) as a function chosen once, for decoding many rows of one column. */
  decoder(type: LogicalType): (raw: unknown) => unknown;
}

/** Shared dispatch from a logical type to the per-type methods. */
export abstract class BaseCodec implements Codec {
  abstract readonly dialect: Dialect;
  abstract encodeTimestamp(iso: string | null | undefined): string | null;
  abstract decodeTimestamp(raw: unknown): string | null;
  abstract encodeInterval(seconds: number): string;
  abstract decodeInterval(raw: unknown): number;
  abstract encodeJson(value: unknown, type?: 'json' | 'json_plain'): string | null;
  abstract decodeJson(raw: unknown): unknown;
  abstract encodeBoolean(value: boolean): number | boolean;

  decodeBoolean(raw: unknown): boolean | null {
    if (raw === null || raw === undefined) return null;
    if (typeof raw === 'boolean') return raw;
    if (typeof raw === 'string') return raw === '1' || raw.toLowerCase() === 'true';
    return Number(raw) !== 0;
  }

  encodeUuid(id: string | null | undefined): string | null {
    return id == null ? null : id.toLowerCase();
  }

  decodeUuid(raw: unknown): string | null {
    return raw == null ? null : String(raw).toLowerCase();
  }

  encode(type: LogicalType, value: unknown): unknown {
    if (value === undefined) return undefined;
    switch (type) {
      case 'uuid':
        return this.encodeUuid(value as string | null);
      case 'timestamp':
        return this.encodeTimestamp(value as string | null);
      case 'interval':
        return value === null ? null : this.encodeInterval(Number(value));
      case 'json':
      case 'json_plain':
        return this.encodeJson(value, type);
      case 'boolean':
        return value === null ? null : this.encodeBoolean(Boolean(value));
      default:
        return value;
    }
  }

  decoder(type: LogicalType): (raw: unknown) => unknown {
    switch (type) {
      case 'uuid':
        return (raw) => (raw === undefined ? null : this.decodeUuid(raw));
      case 'timestamp':
        return (raw) => (raw === undefined ? null : this.decodeTimestamp(raw));
      case 'json':
      case 'json_plain':
        return (raw) => (raw === undefined ? null : this.decodeJson(raw));
      default:
        return (raw) => this.decode(type, raw);
    }
  }

  decode(type: LogicalType, raw: unknown): unknown {
    if (raw === undefined) return null;
    switch (type) {
      case 'uuid':
        return this.decodeUuid(raw);
      case 'timestamp':
        return this.decodeTimestamp(raw);
      case 'interval':
        return raw === null ? null : this.decodeInterval(raw);
      case 'json':
      case 'json_plain':
        return this.decodeJson(raw);
      case 'boolean':
        return this.decodeBoolean(raw);
      case 'integer':
      case 'smallint':
      case 'float':
        return raw === null ? null : Number(raw);
      default:
        return raw;
    }
  }
}
