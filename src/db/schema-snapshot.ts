import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';

import {PREFECTDB_MIGRATIONS_TABLE} from './schema-info.js';

/**
 * A database's schema as one entry per object — `column flow_run.state_type`,
 * `index ix_flow_run__end_time_desc`, `constraint flow.uq_flow__name` … — each with a
 * normalised description, so two databases compare object by object, never as DDL text.
 * prefectdb's own bookkeeping (its Knex migration and lock tables) is left out.
 */
export type SchemaSnapshot = Map<string, string>;

export interface SnapshotOptions {
  /**
   * Also record each table's column order (`column-order flow_run`). Databases of one
   * revision reached by different histories order columns differently, so only a comparison
   * of one history with another (a migration against Prefect's own) asks for it.
   */
  columnOrder?: boolean;
}

function isBookkeeping(name: string): boolean {
  return name === PREFECTDB_MIGRATIONS_TABLE || name.startsWith(`${PREFECTDB_MIGRATIONS_TABLE}_`);
}

/**
 * Collapses whitespace, drops it next to brackets and commas, and lowercases everything
 * outside string literals: SQLite keeps DDL text as written, and Prefect's own text varies
 * in layout and keyword case (`ON DELETE cascade` / `CASCADE`) between tables.
 */
export function normaliseSql(text: string): string {
  const parts = text.split(/('(?:[^']|'')*')/);
  return parts
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .toLowerCase()
            .replace(/\s+/g, ' ')
            .replace(/\s*([(),])\s*/g, '$1'),
    )
    .join('')
    .trim();
}

/** Readable lines: what the reference has that the other lacks, the reverse, and what differs. */
export function diffSnapshots(expected: SchemaSnapshot, actual: SchemaSnapshot): string[] {
  const keys = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  const lines: string[] = [];
  for (const key of keys) {
    const want = expected.get(key);
    const got = actual.get(key);
    if (got === undefined) lines.push(`missing  ${key}: ${want}`);
    else if (want === undefined) lines.push(`extra    ${key}: ${got}`);
    else if (want !== got) lines.push(`differs  ${key}\n           reference: ${want}\n           actual:    ${got}`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------- SQLite

/**
 * Column order is not compared: Prefect's own databases of one revision order columns
 * differently (a table rebuilt by a migration gets a new order), so columns are a set.
 * Indexes SQLite creates for UNIQUE/PRIMARY KEY constraints (sqlite_autoindex_*) are
 * left out: their numbering follows clause order, and the constraints themselves are
 * compared by name and definition.
 */
export function snapshotSqlite(db: BetterSqlite3.Database, options: SnapshotOptions = {}): SchemaSnapshot {
  const snapshot: SchemaSnapshot = new Map();
  const objects = db
    .prepare(`select type, name, tbl_name, sql from sqlite_master where sql is not null and name not like 'sqlite\\_%' escape '\\'`)
    .all() as Array<{type: string; name: string; tbl_name: string; sql: string}>;
  for (const object of objects) {
    if (isBookkeeping(object.tbl_name)) continue;
    if (object.type === 'table') snapshotSqliteTable(db, object.name, object.sql, snapshot, options);
    else if (object.type === 'index') snapshot.set(`index ${object.name}`, describeSqliteIndex(db, object));
    else snapshot.set(`${object.type} ${object.name}`, normaliseSql(object.sql));
  }
  return snapshot;
}

function snapshotSqliteTable(
  db: BetterSqlite3.Database,
  table: string,
  sql: string,
  snapshot: SchemaSnapshot,
  options: SnapshotOptions,
): void {
  snapshot.set(`table ${table}`, 'exists');
  const columns = db.prepare('select name, type, "notnull", dflt_value, pk from pragma_table_info(?)').all(table) as Array<{
    name: string;
    type: string;
    notnull: number;
    dflt_value: string | null;
    pk: number;
  }>;
  for (const column of columns) {
    const description = {
      type: column.type,
      notnull: column.notnull === 1,
      default: column.dflt_value === null ? null : normaliseSql(column.dflt_value),
      pk: column.pk,
    };
    snapshot.set(`column ${table}.${column.name}`, JSON.stringify(description));
  }
  if (options.columnOrder) snapshot.set(`column-order ${table}`, columns.map((column) => column.name).join(', '));
  const foreignKeys = db
    .prepare('select "from", "table", "to", on_update, on_delete, "match" from pragma_foreign_key_list(?)')
    .all(table) as Array<Record<string, string>>;
  for (const fk of foreignKeys) {
    const {from, ...rest} = fk;
    snapshot.set(`foreign key ${table}.${from}`, JSON.stringify(rest));
  }
  for (const constraint of tableConstraints(sql)) {
    snapshot.set(`constraint ${table}.${constraint.name}`, constraint.definition);
  }
}

const CONSTRAINT_KIND = /^(primary\s+key|unique|foreign\s+key|check)\b/i;

/** Table constraints from the CREATE TABLE text, the only place SQLite keeps their names. */
function tableConstraints(sql: string): Array<{name: string; definition: string}> {
  const body = sql.slice(sql.indexOf('(') + 1, sql.lastIndexOf(')'));
  const constraints: Array<{name: string; definition: string}> = [];
  for (const clause of splitTopLevel(body)) {
    const named = /^constraint\s+("?)(\w+)\1\s+([\s\S]*)$/i.exec(clause);
    if (named) constraints.push({name: named[2], definition: normaliseSql(named[3])});
    else if (CONSTRAINT_KIND.test(clause)) constraints.push({name: `(unnamed) ${normaliseSql(clause)}`, definition: 'unnamed'});
  }
  return constraints;
}

/** Splits on commas outside brackets and quotes; each part trimmed. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter(Boolean);
}

function describeSqliteIndex(db: BetterSqlite3.Database, index: {name: string; tbl_name: string; sql: string}): string {
  const listing = db.prepare('select "unique", partial from pragma_index_list(?) where name = ?').get(index.tbl_name, index.name) as {
    unique: number;
    partial: number;
  };
  const keyColumns = db
    .prepare('select name, "desc", coll from pragma_index_xinfo(?) where key = 1 order by seqno')
    .all(index.name) as Array<{name: string | null; desc: number; coll: string}>;
  const {keys, where} = indexKeysAndPredicate(index.sql);
  return JSON.stringify({
    table: index.tbl_name,
    unique: listing.unique === 1,
    keys,
    // Per key column: its name (null for an expression), direction and collation as SQLite resolved them.
    resolved: keyColumns.map((k) => `${k.name ?? '<expression>'} ${k.desc ? 'desc' : 'asc'} ${k.coll}`),
    where: listing.partial === 1 ? where : null,
  });
}

/** The key list and WHERE clause of a CREATE INDEX text. */
function indexKeysAndPredicate(sql: string): {keys: string[]; where: string | null} {
  const on = /\bon\s+("?)\w+\1\s*\(/i.exec(sql);
  if (!on) throw new Error(`cannot parse index definition: ${sql}`);
  const open = on.index + on[0].length - 1;
  let depth = 0;
  let close = open;
  for (let i = open; i < sql.length; i++) {
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  const rest = sql.slice(close + 1).trim();
  return {
    keys: splitTopLevel(sql.slice(open + 1, close)).map(normaliseSql),
    where: /^where\b/i.test(rest) ? normaliseSql(rest.replace(/^where\s+/i, '')) : null,
  };
}

// ------------------------------------------------------------------------------ PostgreSQL

/**
 * Everything in the connection's current schema, read from pg_catalog; the schema's name is
 * stripped from definitions so a dump loaded into `public` compares with any other schema.
 */
export async function snapshotPostgres(client: pg.Client, options: SnapshotOptions = {}): Promise<SchemaSnapshot> {
  const snapshot: SchemaSnapshot = new Map();
  const schema = (await client.query<{schema: string}>('select current_schema() as schema')).rows[0].schema;
  const unqualify = (text: string) => text.replaceAll(`${schema}.`, '');

  const relations = await client.query<{name: string; kind: string}>(
    `select c.relname as name, c.relkind as kind
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')`,
  );
  for (const {name, kind} of relations.rows) {
    if (!isBookkeeping(name)) snapshot.set(`relation ${name}`, kind);
  }

  // Column order is not compared (see snapshotSqlite): columns are a set.
  const columns = await client.query<{table: string; column: string; type: string; notnull: boolean; default: string | null}>(
    `select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type,
            a.attnotnull as notnull, pg_get_expr(d.adbin, d.adrelid) as default
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
      order by c.relname, a.attnum`,
  );
  const order = new Map<string, string[]>();
  for (const row of columns.rows) {
    if (isBookkeeping(row.table)) continue;
    const description = {type: unqualify(row.type), notnull: row.notnull, default: row.default && unqualify(row.default)};
    snapshot.set(`column ${row.table}.${row.column}`, JSON.stringify(description));
    order.set(row.table, [...(order.get(row.table) ?? []), row.column]);
  }
  if (options.columnOrder) {
    for (const [table, names] of order) snapshot.set(`column-order ${table}`, names.join(', '));
  }

  const indexes = await client.query<{table: string; name: string; definition: string}>(
    `select t.relname as table, i.relname as name, pg_get_indexdef(i.oid) as definition
       from pg_index x
       join pg_class i on i.oid = x.indexrelid
       join pg_class t on t.oid = x.indrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = current_schema()`,
  );
  for (const row of indexes.rows) {
    if (!isBookkeeping(row.table)) snapshot.set(`index ${row.name}`, unqualify(row.definition));
  }

  const constraints = await client.query<{table: string; name: string; kind: string; definition: string}>(
    `select t.relname as table, con.conname as name, con.contype as kind, pg_get_constraintdef(con.oid) as definition
       from pg_constraint con
       join pg_class t on t.oid = con.conrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = current_schema()`,
  );
  for (const row of constraints.rows) {
    if (!isBookkeeping(row.table)) snapshot.set(`constraint ${row.table}.${row.name}`, `${row.kind} ${unqualify(row.definition)}`);
  }

  const enums = await client.query<{name: string; labels: string[]}>(
    `select t.typname as name, array_agg(e.enumlabel::text order by e.enumsortorder) as labels
       from pg_type t
       join pg_enum e on e.enumtypid = t.oid
       join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = current_schema()
      group by t.typname`,
  );
  for (const row of enums.rows) snapshot.set(`enum ${row.name}`, row.labels.join(', '));

  const extensions = await client.query<{name: string}>('select extname as name from pg_extension');
  for (const row of extensions.rows) snapshot.set(`extension ${row.name}`, 'installed');

  return snapshot;
}
