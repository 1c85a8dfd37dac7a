import pg from 'pg';

import {parseJsonText} from './codecs/json-text.js';

// Type OIDs from pg_type.
const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const DATE = 1082;
const INTERVAL = 1186;
const JSON_TEXT = 114;
const JSONB = 3802;

const asText = (value: string) => value;

/**
 * Per-connection parsers so PostgreSQL hands the same JS values as SQLite: timestamps and
 * intervals stay text (a Date would drop Prefect's microseconds), counts become numbers,
 * JSON is decoded without rounding a number (pg's own parser is JSON.parse).
 * Set per connection, not globally, so two connections in one process never interfere.
 */
export const postgresTypeParsers = {
  getTypeParser(oid: number, format?: string) {
    switch (oid) {
      case INT8:
      case NUMERIC:
        return (value: string) => Number(value);
      case TIMESTAMP:
      case TIMESTAMPTZ:
      case DATE:
      case INTERVAL:
        return asText;
      case JSON_TEXT:
      case JSONB:
        return parseJsonText;
      default:
        return pg.types.getTypeParser(oid, format as 'text');
    }
  },
};
