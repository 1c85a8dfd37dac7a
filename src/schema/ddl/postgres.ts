import type {Catalogue, Column, ColumnDefault, Index, IndexKey, Table} from '../types.js';
import {indexesFor, isDescending, textFor} from './dialect-variants.js';
import {sqlLiteral} from './sql-literal.js';
import {checkName, dialectName, foreignKeyName, indexName, primaryKeyColumns, primaryKeyName, uniqueName} from './names.js';

/**
 * The statements that build the catalogue on PostgreSQL, in order: the trigram extension,
 * enum types, tables with their primary key, unique and check constraints, indexes, and
 * last every foreign key by ALTER TABLE, so circular references (flow_run ↔ flow_run_state,
 * work_pool ↔ work_queue …) need no table order. Names are unqualified: everything lands in
 * the first schema of the search_path.
 */
export function postgresSchemaStatements(catalogue: Catalogue): string[] {
  return [
    'CREATE EXTENSION IF NOT EXISTS pg_trgm',
    ...catalogue.enums.map((e) => `CREATE TYPE ${identifier(e.name)} AS ENUM (${e.labels.map(sqlLiteral).join(', ')})`),
    ...catalogue.tables.map(createTable),
    ...catalogue.tables.flatMap((table) => indexesFor(table, 'postgres').map((index) => createIndex(table, index))),
    ...catalogue.tables.flatMap(addForeignKeys),
  ];
}

/** Every identifier is quoted: PostgreSQL stores names, not statement text. */
function identifier(name: string): string {
  return `"${name}"`;
}

function identifiers(names: readonly string[]): string {
  return names.map(identifier).join(', ');
}

function constraintName(name: string): string {
  return identifier(dialectName(name, 'postgres'));
}

function createTable(table: Table): string {
  const clauses = [
    ...table.columns.map(columnClause),
    `CONSTRAINT ${constraintName(primaryKeyName(table))} PRIMARY KEY (${identifiers(primaryKeyColumns(table))})`,
    ...(table.uniques ?? []).map((unique) => `CONSTRAINT ${constraintName(uniqueName(table, unique))} UNIQUE (${identifiers(unique.columns)})`),
    ...(table.checks ?? []).map((check) => `CONSTRAINT ${constraintName(checkName(table, check))} CHECK (${check.expression})`),
  ];
  return `CREATE TABLE ${identifier(table.name)} (\n  ${clauses.join(',\n  ')}\n)`;
}

function addForeignKeys(table: Table): string[] {
  return (table.foreignKeys ?? []).map((fk) => {
    const onDelete = fk.onDelete ? ` ON DELETE ${fk.onDelete}` : '';
    return (
      `ALTER TABLE ${identifier(table.name)} ADD CONSTRAINT ${constraintName(foreignKeyName(table, fk))} ` +
      `FOREIGN KEY (${identifier(fk.column)}) REFERENCES ${identifier(fk.references)} ("id")${onDelete}`
    );
  });
}

function columnClause(column: Column): string {
  const defaultSql = column.defaultSql?.postgres ?? (column.default && renderDefault(column.default));
  return [identifier(column.name), columnType(column), defaultSql && `DEFAULT ${defaultSql}`, column.notNull && 'NOT NULL']
    .filter(Boolean)
    .join(' ');
}

function columnType(column: Column): string {
  switch (column.type) {
    case 'uuid':
      return 'uuid';
    case 'timestamp':
      return 'timestamp with time zone';
    case 'interval':
      return 'interval';
    case 'json':
      return 'jsonb';
    case 'json_plain':
      return 'json';
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'smallint':
      return 'smallint';
    case 'float':
      return 'double precision';
    case 'string':
      return column.length ? `character varying(${column.length})` : 'character varying';
    case 'text':
      return 'text';
    case 'enum':
      if (!column.enumName) throw new Error(`enum column ${column.name} names no enum type`);
      return identifier(column.enumName);
  }
}

/** PostgreSQL casts a quoted literal to the column's type (jsonb, interval, an enum …). */
function renderDefault(value: ColumnDefault): string {
  switch (value.kind) {
    case 'now':
      return 'CURRENT_TIMESTAMP';
    case 'uuid':
      return 'gen_random_uuid()';
    case 'zero_interval':
      return "'00:00:00'";
    case 'json':
      return sqlLiteral(value.text);
    case 'literal':
      return typeof value.value === 'string' ? sqlLiteral(value.value) : String(value.value);
  }
}

function createIndex(table: Table, index: Index): string {
  const unique = index.unique ? 'UNIQUE ' : '';
  const method = index.method ? ` USING ${index.method}` : '';
  const keys = index.keys.map(indexKey).join(', ');
  const include = index.include ? ` INCLUDE (${identifiers(index.include)})` : '';
  const where = index.where ? ` WHERE ${textFor(index.where, 'postgres')}` : '';
  const name = identifier(dialectName(indexName(table, index), 'postgres'));
  return `CREATE ${unique}INDEX ${name} ON ${identifier(table.name)}${method} (${keys})${include}${where}`;
}

function indexKey(key: IndexKey): string {
  const desc = isDescending(key, 'postgres') ? ' DESC' : '';
  if (typeof key === 'string') return identifier(key);
  // Parenthesised, as PostgreSQL requires for any expression that is not a plain function call.
  if ('expression' in key) return `(${textFor(key.expression, 'postgres')})${desc}`;
  const opclass = key.opclass ? ` ${key.opclass}` : '';
  return `${identifier(key.column)}${opclass}${desc}`;
}
