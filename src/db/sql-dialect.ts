import type {Knex} from 'knex';

import type {Dialect} from './dialect.js';

/**
 * The SQL fragments that differ between SQLite and PostgreSQL. Repositories build queries
 * with these instead of branching on the dialect themselves. Every value is a binding.
 */
export interface SqlDialect {
  readonly dialect: Dialect;
  /** `column` starts with `prefix` (ids are uuid in PG, text in SQLite). */
  idStartsWith(qb: Knex.QueryBuilder, column: string, prefix: string): Knex.QueryBuilder;
  /**
   * `column` contains `text` as typed (its % and _ are not wildcards), in any case: Prefect's
   * name filters are ILIKE on PostgreSQL, and SQLite's LIKE ignores (ASCII) case itself.
   */
  containsIgnoringCase(qb: Knex.QueryBuilder, column: string, text: string): Knex.QueryBuilder;
  /** The JSON array in `column` contains the string `value` (tags). */
  jsonArrayContains(qb: Knex.QueryBuilder, column: string, value: string): Knex.QueryBuilder;
  /** An expression reading a text field of a JSON object column, e.g. created_by.id. */
  jsonText(column: string, key: string): Knex.Raw;
  /**
   * A field of a JSON object column as JSON text ('"a string"', '12', 'null'), NULL when
   * absent: one parse of the column in SQL, and the reader can tell a string from a number.
   */
  jsonFieldJson(column: string, key: string): Knex.Raw;
  /** EXPLAIN prefix for query-plan inspection. */
  explain(sql: string): string;
  /**
   * Orders by `column` with NULLs counted as larger than every value (PostgreSQL's own
   * order), so both dialects list rows alike. The column is not wrapped in an expression:
   * an index on it can still serve the sort.
   */
  orderByNullsLargest(qb: Knex.QueryBuilder, column: string, direction: 'asc' | 'desc'): Knex.QueryBuilder;
  /**
   * The column as an expression no index on it can serve, steering the planner to an index
   * that serves the ORDER BY instead. PostgreSQL's planner has statistics and needs no hint.
   */
  withoutIndex(column: string): Knex.Raw;
  /**
   * One UPDATE for many rows with different values: `rowsJson` is a JSON array of objects,
   * each with the row's `id` and a value per column, already encoded for this dialect
   * (PostgreSQL reads each field with the column's own input function).
   */
  updateRowsFromJson(db: Knex | Knex.Transaction, table: string, columns: readonly string[], rowsJson: string): Knex.Raw;
}

export function sqlDialect(knex: Knex, dialect: Dialect): SqlDialect {
  return dialect === 'sqlite' ? sqliteDialect(knex) : postgresDialect(knex);
}

function sqliteDialect(knex: Knex): SqlDialect {
  return {
    dialect: 'sqlite',
    idStartsWith: (qb, column, prefix) => qb.where(column, '>=', prefix).andWhere(column, '<', prefix + '\uffff'),
    containsIgnoringCase: (qb, column, text) => qb.whereRaw(`?? like ? escape '\\'`, [column, likePattern(text)]),
    jsonArrayContains: (qb, column, value) =>
      qb.whereRaw(`exists (select 1 from json_each(??) where json_each.value = ?)`, [column, value]),
    jsonText: (column, key) => knex.raw(`json_extract(??, ?)`, [column, `$.${key}`]),
    jsonFieldJson: (column, key) => knex.raw(`?? -> ?`, [column, `$.${key}`]),
    explain: (sql) => `explain query plan ${sql}`,
    // SQLite counts NULLs as smallest; explicit NULLS FIRST/LAST (3.30+) flips that and still uses the index.
    orderByNullsLargest: (qb, column, direction) =>
      qb.orderByRaw(`?? ${direction === 'asc' ? 'asc nulls last' : 'desc nulls first'}`, [column]),
    // SQLite's documented way to disqualify an index: a unary plus on the column.
    withoutIndex: (column) => knex.raw('+??', [column]),
    // json_extract hands back each encoded value as it was: text, number or NULL.
    updateRowsFromJson: (db, table, columns, rowsJson) =>
      db.raw(`update ?? set ${columns.map(() => '?? = json_extract(v.value, ?)').join(', ')} from json_each(?) as v where ??.id = json_extract(v.value, '$.id')`, [
        table,
        ...columns.flatMap((column) => [column, `$.${column}`]),
        rowsJson,
        table,
      ]),
  };
}

function postgresDialect(knex: Knex): SqlDialect {
  return {
    dialect: 'postgres',
    idStartsWith: (qb, column, prefix) => qb.whereRaw(`??::text like ?`, [column, `${prefix}%`]),
    containsIgnoringCase: (qb, column, text) => qb.whereRaw(`?? ilike ? escape '\\'`, [column, likePattern(text)]),
    jsonArrayContains: (qb, column, value) => qb.whereRaw(`?? @> ?::jsonb`, [column, JSON.stringify([value])]),
    jsonText: (column, key) => knex.raw(`?? ->> ?`, [column, key]),
    jsonFieldJson: (column, key) => knex.raw(`(?? -> ?)::text`, [column, key]),
    explain: (sql) => `explain ${sql}`,
    orderByNullsLargest: (qb, column, direction) => qb.orderBy(column, direction),
    withoutIndex: (column) => knex.raw('??', [column]),
    updateRowsFromJson: (db, table, columns, rowsJson) =>
      db.raw(`update ?? as t set ${columns.map(() => '?? = v.??').join(', ')} from jsonb_populate_recordset(null::??, ?::jsonb) as v where t.id = v.id`, [
        table,
        ...columns.flatMap((column) => [column, column]),
        table,
        rowsJson,
      ]),
  };
}

/**
 * `column IN (ids…)` for a list of ids. PostgreSQL gets one array parameter (`= any(?::uuid[])`):
 * a literal list of hundreds of parameters costs its planner milliseconds per statement, and
 * bulk writes send thousands of such statements. Works on any builder, so repositories that
 * only hold a transaction can use it.
 */
export function whereIdIn(qb: Knex.QueryBuilder, column: string, ids: readonly string[]): Knex.QueryBuilder {
  const client = (qb as unknown as {client?: {dialect?: string}}).client;
  if (client?.dialect === 'postgresql') return qb.whereRaw('?? = any(?::uuid[])', [column, [...ids]]);
  return qb.whereIn(column, [...ids]);
}

/** A LIKE pattern matching `text` anywhere, its wildcard characters (and the escape) taken literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
