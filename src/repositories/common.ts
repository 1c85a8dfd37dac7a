import type {Knex} from 'knex';

import type {Database} from '../db/connection.js';
import type {SchemaInfo} from '../db/schema-info.js';
import {sqlDialect, type SqlDialect} from '../db/sql-dialect.js';
import {notFoundError, usageError} from '../errors.js';
import {findColumn} from '../schema/head.js';

export type Db = Knex | Knex.Transaction;

/** What every repository function receives: the connection, its codec and the live schema. */
export interface RepositoryContext {
  db: Database;
  schema: SchemaInfo;
  sql: SqlDialect;
}

export function repositoryContext(db: Database, schema: SchemaInfo): RepositoryContext {
  return {db, schema, sql: sqlDialect(db.knex, db.dialect)};
}

/**
 * The same context bound to an open transaction: every repository function then reads and
 * writes inside it (SQLite has one connection, so reads outside it would wait forever).
 */
export function withTransaction(ctx: RepositoryContext, trx: Knex.Transaction): RepositoryContext {
  return {...ctx, db: {...ctx.db, knex: trx}};
}

export type Row = Record<string, unknown>;

/**
 * Decodes a raw row of `table` into domain values using the schema catalogue's column types.
 * Columns the catalogue does not know (dropped in later Prefect versions) pass through.
 */
export function decodeRow(ctx: RepositoryContext, table: string, row: Row): Row {
  const out: Row = {};
  for (const [column, raw] of Object.entries(row)) {
    const type = findColumn(table, column)?.type;
    out[column] = type ? ctx.db.codec.decode(type, raw) : raw;
  }
  return out;
}

/** decodeRow's work for one column, its type looked up once: for passes that decode by the million. */
export function columnDecoder(ctx: RepositoryContext, table: string, column: string): (raw: unknown) => unknown {
  const type = findColumn(table, column)?.type;
  return type ? ctx.db.codec.decoder(type) : (raw) => raw;
}

/** decodeRow for rows with these columns. */
export function rowDecoder(ctx: RepositoryContext, table: string, columns: readonly string[]): (raw: Row) => Row {
  const decoders = columns.map((column) => [column, columnDecoder(ctx, table, column)] as const);
  return (raw) => {
    const out: Row = {};
    for (const [column, decode] of decoders) out[column] = decode(raw[column]);
    return out;
  };
}

/** A column of a statement's result: the catalogue table and column it reads, and the key it decodes to (default: the column's name). */
export interface ResultColumn {
  table: string;
  column: string;
  as?: string;
}

/** decodeRow for rows read as arrays (streamed statements), whose values follow `columns`. */
export function valuesDecoder(ctx: RepositoryContext, columns: readonly ResultColumn[]): (values: readonly unknown[]) => Row {
  const keys = columns.map((one) => one.as ?? one.column);
  const decoders = columns.map(({table, column}) => columnDecoder(ctx, table, column));
  return (values) => {
    const row: Row = {};
    for (let index = 0; index < keys.length; index++) row[keys[index]] = decoders[index](values[index]);
    return row;
  };
}

/** The wanted columns of `table` that exist at this database's revision. */
export function existingColumns(ctx: RepositoryContext, table: string, wanted: readonly string[]): string[] {
  return wanted.filter((column) => ctx.schema.hasColumn(table, column));
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PREFIX_PATTERN = /^[0-9a-f][0-9a-f-]{0,35}$/;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value.toLowerCase());
}

/**
 * Resolves a full id or a unique prefix (git/docker style) to a full id of `table`.
 * Not found → exit 3; ambiguous → exit 2 naming the candidates; malformed → exit 2.
 */
export async function resolveId(ctx: RepositoryContext, table: string, input: string, noun: string): Promise<string> {
  const value = input.trim().toLowerCase();
  if (!PREFIX_PATTERN.test(value)) throw usageError(`invalid ${noun} id "${input}": expected a UUID or a unique prefix of one`);
  if (isUuid(value)) {
    const row = await ctx.db.knex(table).where('id', value).first('id');
    if (!row) throw notFoundError(`no ${noun} with id ${value}`);
    return value;
  }
  const rows: Array<{id: string}> = await ctx.sql
    .idStartsWith(ctx.db.knex(table).select('id'), 'id', value)
    .orderBy('id')
    .limit(6);
  if (rows.length === 0) throw notFoundError(`no ${noun} id starts with "${value}"`);
  if (rows.length > 1) {
    const shown = rows.slice(0, 5).map((r) => String(r.id));
    throw usageError(
      `ambiguous ${noun} id prefix "${value}": matches ${shown.join(', ')}${rows.length > 5 ? ', …' : ''} (give more characters)`,
    );
  }
  return String(rows[0].id).toLowerCase();
}

/**
 * How far the "20 of N" notice counts. Beyond it the notice says "more than 10,000": an
 * exact count of a big selection would read every matching row, which a cut list never needs.
 */
export const COUNT_BOUND = 10_000;

/** A list cut by --limit says how many matched: exactly, or that more than `total` did. */
export interface LimitedRows<T> {
  rows: T[];
  total?: number;
  /** True when more than `total` (COUNT_BOUND) rows matched and counting stopped there. */
  totalIsLowerBound?: boolean;
}

/** Applies --limit / --all and reports the total (counted up to COUNT_BOUND) when the list was cut. */
export async function limitedList<T>(
  query: Knex.QueryBuilder,
  limit: number | undefined,
  fetch: (qb: Knex.QueryBuilder) => Promise<T[]>,
  /** The same filter built for counting, when the list query's form suits only its sort. */
  countQuery: Knex.QueryBuilder = query,
): Promise<LimitedRows<T>> {
  if (limit === undefined) return {rows: await fetch(query.clone())};
  const rows = await fetch(query.clone().limit(limit + 1));
  if (rows.length <= limit) return {rows};
  const count = await countUpTo(countQuery, COUNT_BOUND + 1);
  return count > COUNT_BOUND ? {rows: rows.slice(0, limit), total: COUNT_BOUND, totalIsLowerBound: true} : {rows: rows.slice(0, limit), total: count};
}

/**
 * The number of rows `query` selects, counting no further than `bound`: the database stops
 * reading once it has that many, so the cost follows the bound, not the table.
 */
export async function countUpTo(query: Knex.QueryBuilder, bound: number): Promise<number> {
  const matches = query.clone().clearSelect().clearOrder().select(knexOf(query).raw('1 as one')).limit(bound);
  const [{count}] = await knexOf(query).from(matches.as('matches')).count({count: '*'});
  return Number(count);
}

/** The Knex instance (or transaction) a builder was made from, to wrap it in another query. */
function knexOf(query: Knex.QueryBuilder): Knex {
  const {client} = query as unknown as {client: {queryBuilder(): Knex.QueryBuilder; raw(sql: string): Knex.Raw}};
  const from = (sub: Knex.QueryBuilder) => client.queryBuilder().from(sub);
  return {from, raw: (sql: string) => client.raw(sql)} as unknown as Knex;
}

/**
 * Encodes domain values for a write to `table` through the codec, by the catalogue's column
 * types, keeping only the columns that exist at this database's revision (an older release
 * simply had no such column to fill).
 */
export function encodeRow(ctx: RepositoryContext, table: string, values: Row): Row {
  const out: Row = {};
  for (const [column, value] of Object.entries(values)) {
    if (value === undefined || !ctx.schema.hasColumn(table, column)) continue;
    const type = findColumn(table, column)?.type;
    out[column] = type ? ctx.db.codec.encode(type, value) : value;
  }
  return out;
}
