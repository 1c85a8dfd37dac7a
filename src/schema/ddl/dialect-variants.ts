import type {Dialect} from '../../db/dialect.js';
import type {DialectText, Index, IndexKey, Table} from '../types.js';

// Picks the per-dialect variant of the catalogue's facts; both DDL generators use these.

export function textFor(text: DialectText, dialect: Dialect): string {
  const chosen = typeof text === 'string' ? text : text[dialect];
  if (chosen === undefined) throw new Error(`the schema catalogue has no ${dialect} variant of ${JSON.stringify(text)}`);
  return chosen;
}

export function indexesFor(table: Table, dialect: Dialect): Index[] {
  return (table.indexes ?? []).filter((index) => !index.only || index.only === dialect);
}

export function isDescending(key: IndexKey, dialect: Dialect): boolean {
  return typeof key !== 'string' && (key.descendingOn?.includes(dialect) ?? false);
}
