import type {Catalogue, Column, ColumnDefault, EnumDef, Index, IndexKey, Table} from '../types.js';
import {indexesFor, isDescending, textFor} from './dialect-variants.js';
import {sqlLiteral} from './sql-literal.js';
import {checkName, foreignKeyName, indexName, primaryKeyColumns, primaryKeyName, uniqueName} from './names.js';

/**
 * The statements that build the catalogue on SQLite, in order: each table with its
 * constraints inline (SQLite checks foreign keys on writes, not at CREATE, so circular
 * references need no ALTER), then its indexes.
 */
export function sqliteSchemaStatements(catalogue: Catalogue): string[] {
  const enums = new Map(catalogue.enums.map((e) => [e.name, e]));
  return catalogue.tables.flatMap((table) => [
    createTable(table, enums),
    ...indexesFor(table, 'sqlite').map((index) => createIndex(table, index)),
  ]);
}

/**
 * SQLite keywords that need quoting as identifiers. Quoting only these keeps the CREATE text
 * SQLite stores as close as possible to what Prefect's migrations leave in sqlite_master.
 */
const KEYWORDS = new Set(
  `add after all alter analyze and as asc attach autoincrement before begin between by cascade case cast check
   collate column commit conflict constraint create cross current_date current_time current_timestamp database
   default deferrable deferred delete desc detach distinct drop each else end escape except exclusive exists
   explain fail false for foreign from full glob group having if ignore immediate in index indexed initially
   inner insert instead intersect into is isnull join key left like limit match natural not notnull null of
   offset on or order outer plan pragma primary query raise references reindex rename replace restrict right
   rollback row select set table temp temporary then to transaction trigger true union unique update using
   vacuum values view virtual when where`.split(/\s+/),
);

function identifier(name: string): string {
  return KEYWORDS.has(name) ? `"${name}"` : name;
}

function identifiers(names: readonly string[]): string {
  return names.map(identifier).join(', ');
}

function createTable(table: Table, enums: ReadonlyMap<string, EnumDef>): string {
  const clauses = [
    ...table.columns.map((column) => columnClause(column, enums)),
    `CONSTRAINT ${primaryKeyName(table)} PRIMARY KEY (${identifiers(primaryKeyColumns(table))})`,
    ...(table.uniques ?? []).map((unique) => `CONSTRAINT ${uniqueName(table, unique)} UNIQUE (${identifiers(unique.columns)})`),
    ...(table.foreignKeys ?? []).map((fk) => {
      const onDelete = fk.onDelete ? ` ON DELETE ${fk.onDelete}` : '';
      return `CONSTRAINT ${foreignKeyName(table, fk)} FOREIGN KEY(${identifier(fk.column)}) REFERENCES ${fk.references} (id)${onDelete}`;
    }),
    ...(table.checks ?? []).map((check) => `CONSTRAINT ${checkName(table, check)} CHECK (${check.expression})`),
  ];
  return `CREATE TABLE ${table.name} (\n\t${clauses.join(',\n\t')}\n)`;
}

function columnClause(column: Column, enums: ReadonlyMap<string, EnumDef>): string {
  const defaultSql = column.defaultSql?.sqlite ?? (column.default && renderDefault(column.default));
  return [identifier(column.name), columnType(column, enums), defaultSql && `DEFAULT ${defaultSql}`, column.notNull && 'NOT NULL']
    .filter(Boolean)
    .join(' ');
}

function columnType(column: Column, enums: ReadonlyMap<string, EnumDef>): string {
  switch (column.type) {
    case 'uuid':
      return 'CHAR(36)';
    case 'timestamp':
    case 'interval':
      return 'DATETIME';
    case 'json':
    case 'json_plain':
      return 'JSON';
    case 'boolean':
      return 'BOOLEAN';
    case 'integer':
      return 'INTEGER';
    case 'smallint':
      return 'SMALLINT';
    case 'float':
      return 'FLOAT';
    case 'string':
      return column.length ? `VARCHAR(${column.length})` : 'VARCHAR';
    case 'text':
      return 'TEXT';
    case 'enum': {
      const definition = column.enumName && enums.get(column.enumName);
      if (!definition) throw new Error(`enum column ${column.name} names no known enum`);
      return `VARCHAR(${definition.sqliteLength})`;
    }
  }
}

/** A random version-4 UUID from randomblob, as Prefect's GenerateUUID compiles for SQLite. */
const RANDOM_UUID = [
  'lower(hex(randomblob(4)))',
  "'-'",
  'lower(hex(randomblob(2)))',
  "'-4'",
  'substr(lower(hex(randomblob(2))),2)',
  "'-'",
  "substr('89ab',abs(random()) % 4 + 1, 1)",
  'substr(lower(hex(randomblob(2))),2)',
  "'-'",
  'lower(hex(randomblob(6)))',
].join(' || ');

/** Prefect's SQLite now(): millisecond precision padded to the six digits its timestamps carry. */
const NOW_WITH_MICROSECONDS = "strftime('%Y-%m-%d %H:%M:%f000', 'now')";

/** Prefect's SQLite server defaults are quoted text even for numbers and booleans. */
function renderDefault(value: ColumnDefault): string {
  switch (value.kind) {
    case 'now':
      return `(${NOW_WITH_MICROSECONDS})`;
    case 'uuid':
      return `((${RANDOM_UUID}))`;
    case 'zero_interval':
      return "'0'";
    case 'json':
      return sqlLiteral(value.text);
    case 'literal':
      return sqlLiteral(typeof value.value === 'boolean' ? (value.value ? '1' : '0') : String(value.value));
  }
}

function createIndex(table: Table, index: Index): string {
  const unique = index.unique ? 'UNIQUE ' : '';
  const keys = index.keys.map(indexKey).join(', ');
  const where = index.where ? ` WHERE ${textFor(index.where, 'sqlite')}` : '';
  // SQLite has no INCLUDE: a covering PostgreSQL index is a plain one here.
  return `CREATE ${unique}INDEX ${indexName(table, index)} ON ${table.name} (${keys})${where}`;
}

function indexKey(key: IndexKey): string {
  const desc = isDescending(key, 'sqlite') ? ' DESC' : '';
  if (typeof key === 'string') return identifier(key);
  if ('expression' in key) return textFor(key.expression, 'sqlite') + desc;
  const collate = key.collate ? ` COLLATE ${key.collate}` : '';
  return `${identifier(key.column)}${collate}${desc}`;
}
