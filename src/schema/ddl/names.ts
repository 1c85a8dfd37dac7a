import {createHash} from 'node:crypto';

import type {Dialect} from '../../db/dialect.js';
import type {CheckConstraint, ForeignKey, Index, IndexKey, Table, UniqueConstraint} from '../types.js';

// Prefect's SQLAlchemy naming convention (schema.md §3), and PostgreSQL's identifier limit.

const POSTGRES_MAX_IDENTIFIER = 63;

/**
 * Names longer than PostgreSQL's 63 bytes are shortened the way SQLAlchemy does it, so the
 * constraint names match Prefect's: the first 55 characters, "_", and the last four hex
 * digits of the full name's md5. SQLite keeps full names.
 */
export function dialectName(name: string, dialect: Dialect): string {
  if (dialect === 'sqlite' || name.length <= POSTGRES_MAX_IDENTIFIER) return name;
  const digest = createHash('md5').update(name).digest('hex');
  return `${name.slice(0, 55)}_${digest.slice(-4)}`;
}

export function primaryKeyName(table: Table): string {
  return table.primaryKey?.name ?? `pk_${table.name}`;
}

export function primaryKeyColumns(table: Table): readonly string[] {
  return table.primaryKey?.columns ?? ['id'];
}

export function uniqueName(table: Table, unique: UniqueConstraint): string {
  return `uq_${table.name}__${unique.columns.join('_')}`;
}

export function foreignKeyName(table: Table, foreignKey: ForeignKey): string {
  return foreignKey.name ?? `fk_${table.name}__${foreignKey.column}__${foreignKey.references}`;
}

/** The convention wraps the given name, even one that already follows it. */
export function checkName(table: Table, check: CheckConstraint): string {
  return `ck_${table.name}__${check.name}`;
}

export function indexName(table: Table, index: Index): string {
  if (index.name) return index.name;
  const columns = index.keys.map(keyColumn);
  return `${index.unique ? 'uq' : 'ix'}_${table.name}__${columns.join('_')}`;
}

function keyColumn(key: IndexKey): string {
  if (typeof key === 'string') return key;
  if ('column' in key) return key.column;
  throw new Error('an expression index needs an explicit name');
}
