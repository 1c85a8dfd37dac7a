import type {Column, ColumnDefault, Index, LogicalType} from './types.js';

// Building blocks the table files share, so each table reads as a list of its own facts.

type ColumnOptions = Omit<Column, 'name' | 'type' | 'notNull'>;

export function column(name: string, type: LogicalType, options: ColumnOptions = {}): Column {
  return {name, type, ...options};
}

export function required(name: string, type: LogicalType, options: ColumnOptions = {}): Column {
  return {name, type, notNull: true, ...options};
}

export const NOW: ColumnDefault = {kind: 'now'};
export const EMPTY_OBJECT: ColumnDefault = {kind: 'json', text: '{}'};
export const EMPTY_LIST: ColumnDefault = {kind: 'json', text: '[]'};
export const FALSE: ColumnDefault = {kind: 'literal', value: false};
export const TRUE: ColumnDefault = {kind: 'literal', value: true};
export const ZERO: ColumnDefault = {kind: 'literal', value: 0};

export function literal(value: string | number | boolean): ColumnDefault {
  return {kind: 'literal', value};
}

/** id, created, updated: Prefect's ORM base gives every table but alembic_version these three. */
export const ID = required('id', 'uuid', {default: {kind: 'uuid'}});
export const CREATED = required('created', 'timestamp', {default: NOW});
export const UPDATED = required('updated', 'timestamp', {default: NOW});
export const BASE_COLUMNS: readonly Column[] = [ID, CREATED, UPDATED];

/** PostgreSQL's fuzzy name search: a trigram GIN index (needs pg_trgm). */
export function trigramNameIndex(table: string): Index {
  return {name: `trgm_ix_${table}_name`, keys: [{column: 'name', opclass: 'gin_trgm_ops'}], method: 'gin', only: 'postgres'};
}

/**
 * SQLite's counterpart of the trigram index. Prefect's batch table rebuilds dropped the
 * COLLATE NOCASE from some of these, so only some keep it.
 */
export function caseInsensitiveNameIndex(table: string, collation: 'nocase' | 'lost-in-rebuild'): Index {
  return {
    name: `ix_${table}_name_case_insensitive`,
    keys: [collation === 'nocase' ? {column: 'name', collate: 'NOCASE'} : 'name'],
    only: 'sqlite',
  };
}

/** One single-column index per column, each named by the convention. */
export function indexesOn(...columns: string[]): Index[] {
  return columns.map((key) => ({keys: [key]}));
}
