import type {Knex} from 'knex';

import {findColumn} from '../schema/head.js';
import type {RepositoryContext, Row} from './common.js';

/**
 * Encodes rows of `table` for an INSERT: the given columns in order, each value through the
 * dialect's codec by the schema catalogue's column type. Returns the flat binding list.
 */
export function encodeRowValues(ctx: RepositoryContext, table: string, columns: readonly string[], rows: readonly Row[]): Knex.Value[] {
  // Rows made together often share one JSON object (tags, labels …): encode it once.
  const encodedObjects = new Map<object, unknown>();
  const encoders = columns.map((column) => {
    const type = findColumn(table, column)?.type;
    if (!type) throw new Error(`the schema catalogue has no column ${table}.${column}`);
    if (type !== 'json' && type !== 'json_plain') return (value: unknown) => ctx.db.codec.encode(type, value ?? null);
    return (value: unknown) => {
      if (value === null || typeof value !== 'object') return ctx.db.codec.encode(type, value ?? null);
      if (!encodedObjects.has(value)) encodedObjects.set(value, ctx.db.codec.encode(type, value));
      return encodedObjects.get(value);
    };
  });
  const values: Knex.Value[] = [];
  for (const row of rows) for (let i = 0; i < columns.length; i++) values.push(encoders[i](row[columns[i]]) as Knex.Value);
  return values;
}

/** "(?, ?, …), (?, ?, …)" for a multi-row VALUES list. */
export function valuesPlaceholders(columnCount: number, rowCount: number): string {
  const tuple = `(${Array.from({length: columnCount}, () => '?').join(', ')})`;
  return Array.from({length: rowCount}, () => tuple).join(', ');
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
