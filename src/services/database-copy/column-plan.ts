import {canonicalJson, LosslessNumber, parseJsonText} from '../../db/codecs/json-text.js';
import {codecFor, type Codec, type LogicalType} from '../../db/codecs/index.js';
import type {Dialect} from '../../db/dialect.js';
import type {ColumnRead, LiveColumn} from '../../repositories/copy/endpoint.js';
import {findColumn} from '../../schema/head.js';

/** How one column travels: read as stored, converted for the target, decoded for comparison. */
export interface ColumnPlan {
  name: string;
  type: LogicalType | undefined;
  read: ColumnRead;
  /** Stored source value → the value the target's codec writes (what Prefect writes there). */
  convert(raw: unknown): unknown;
  /** Stored value on either side → a dialect-free value for --verify. */
  canonical(raw: unknown, dialect: Dialect): unknown;
}

/**
 * The logical type of a column: the schema catalogue's for every column of the head
 * revision; for a column only older revisions have, what its declared type says
 * (PostgreSQL's are exact, so they win over SQLite's).
 */
export function logicalTypeOf(table: string, source: LiveColumn & {dialect: Dialect}, target: LiveColumn & {dialect: Dialect}): LogicalType | undefined {
  const known = findColumn(table, source.name)?.type;
  const postgres = source.dialect === 'postgres' ? source : target.dialect === 'postgres' ? target : undefined;
  // Plain json keeps its text and jsonb does not; the live type says which one this database has.
  if (postgres && (known === 'json' || known === 'json_plain')) return postgres.declaredType === 'json' ? 'json_plain' : 'json';
  if (known) return known;
  return postgres ? fromPostgresType(postgres.declaredType) : fromSqliteType(source.declaredType);
}

function fromPostgresType(dataType: string): LogicalType | undefined {
  switch (dataType) {
    case 'uuid':
      return 'uuid';
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return 'timestamp';
    case 'interval':
      return 'interval';
    case 'jsonb':
      return 'json';
    case 'json':
      return 'json_plain';
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'bigint':
    case 'smallint':
      return 'integer';
    case 'double precision':
    case 'real':
    case 'numeric':
      return 'float';
    default:
      return undefined;
  }
}

function fromSqliteType(declared: string): LogicalType | undefined {
  if (declared === 'CHAR(36)') return 'uuid';
  if (declared === 'DATETIME' || declared === 'TIMESTAMP') return 'timestamp';
  if (declared === 'JSON') return 'json';
  if (declared === 'BOOLEAN') return 'boolean';
  return undefined;
}

export function columnPlan(name: string, type: LogicalType | undefined, from: Dialect, to: Dialect): ColumnPlan {
  const json = type === 'json' || type === 'json_plain';
  return {
    name,
    type,
    read: {name, json},
    convert: from === to ? identity : converter(type, codecFor(from), codecFor(to)),
    canonical: (raw, dialect) => canonicalValue(type, codecFor(dialect), raw),
  };
}

const identity = (raw: unknown) => raw;

function converter(type: LogicalType | undefined, from: Codec, to: Codec): (raw: unknown) => unknown {
  switch (type) {
    case 'uuid':
      return (raw) => (raw == null ? null : to.encodeUuid(from.decodeUuid(raw)));
    case 'timestamp':
      return (raw) => (raw == null ? null : to.encodeTimestamp(from.decodeTimestamp(raw)));
    case 'interval':
      return (raw) => (raw == null ? null : to.encodeInterval(from.decodeInterval(raw)));
    case 'boolean':
      return (raw) => (raw == null ? null : to.encodeBoolean(from.decodeBoolean(raw)!));
    case 'json':
    case 'json_plain':
      return (raw) => {
        if (raw == null) return null;
        const value = jsonValue(raw);
        // A stored JSON null is text in both dialects, apart from SQL NULL.
        return value === null ? 'null' : to.encodeJson(value, type);
      };
    default:
      return identity;
  }
}

/**
 * Both sides read JSON as its text; where SQLite's affinity made a scalar a number, an
 * integer comes as a bigint (exact) and a real as a number.
 */
function jsonValue(raw: unknown): unknown {
  if (typeof raw === 'string') return parseJsonText(raw);
  return typeof raw === 'bigint' ? new LosslessNumber(raw.toString()) : raw;
}

function canonicalValue(type: LogicalType | undefined, codec: Codec, raw: unknown): unknown {
  if (raw == null) return null;
  switch (type) {
    case 'json':
    case 'json_plain':
      return canonicalJson(jsonValue(raw));
    case 'integer':
    case 'smallint':
    case 'float':
      return Number(raw);
    case undefined:
      return typeof raw === 'bigint' ? Number(raw) : raw;
    default:
      return codec.decode(type, raw);
  }
}

