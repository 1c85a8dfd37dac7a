import type {Dialect} from '../db/dialect.js';

/**
 * What a column holds, independent of dialect. The DDL generators and the codecs map each
 * one to its storage: 'json' is SQLite JSON / PG jsonb, 'json_plain' is SQLite JSON / PG
 * json (Prefect's plain sa.JSON columns), 'interval' is a SQLite DATETIME epoch offset / PG
 * interval, 'enum' is a SQLite VARCHAR(n) holding the member name / a PG enum type.
 */
export type LogicalType =
  | 'uuid'
  | 'timestamp'
  | 'interval'
  | 'json'
  | 'json_plain'
  | 'boolean'
  | 'integer'
  | 'smallint'
  | 'float'
  | 'string'
  | 'text'
  | 'enum';

export type EnumName = 'state_type' | 'deployment_status' | 'work_pool_status' | 'work_queue_status' | 'worker_status';

export interface EnumDef {
  name: EnumName;
  /** In PostgreSQL's label order. */
  labels: readonly string[];
  /** SQLite's VARCHAR length, fixed when the enum was created (later labels may be longer). */
  sqliteLength: number;
}

/** SQL text that is the same on both dialects, or differs per dialect. */
export type DialectText = string | Partial<Record<Dialect, string>>;

/** A server default, said logically; each DDL generator renders it in its dialect's idiom. */
export type ColumnDefault =
  | {kind: 'now'}
  | {kind: 'uuid'}
  | {kind: 'zero_interval'}
  | {kind: 'json'; text: '{}' | '[]'}
  | {kind: 'literal'; value: string | number | boolean};

export interface Column {
  name: string;
  type: LogicalType;
  /** VARCHAR(n); absent means unbounded VARCHAR. */
  length?: number;
  enumName?: EnumName;
  notNull?: boolean;
  default?: ColumnDefault;
  /** Verbatim default for a dialect whose Prefect migration wrote something unusual. */
  defaultSql?: Partial<Record<Dialect, string>>;
}

export type ReferentialAction = 'CASCADE' | 'SET NULL' | 'RESTRICT';

export interface ForeignKey {
  column: string;
  references: string;
  onDelete?: ReferentialAction;
  /** Only where Prefect's name breaks the fk_<table>__<column>__<referred table> convention. */
  name?: string;
}

export interface UniqueConstraint {
  columns: readonly string[];
}

export interface CheckConstraint {
  /** The name given to the naming convention, which wraps it as ck_<table>__<name>. */
  name: string;
  expression: string;
}

export interface ColumnKey {
  column: string;
  /** Dialects on which the key is DESC: Prefect's SQLite rebuilds lost some DESC keys. */
  descendingOn?: readonly Dialect[];
  /** SQLite only. */
  collate?: 'NOCASE';
  /** PostgreSQL operator class, e.g. for trigram GIN indexes. */
  opclass?: string;
}

export interface ExpressionKey {
  expression: DialectText;
  descendingOn?: readonly Dialect[];
}

export type IndexKey = string | ColumnKey | ExpressionKey;

export interface Index {
  /** Defaults to the convention ix_<table>__<columns> (uq_ when unique). */
  name?: string;
  keys: readonly IndexKey[];
  unique?: boolean;
  /** Present on one dialect only (trigram GIN on PG, *_case_insensitive on SQLite …). */
  only?: Dialect;
  /** PostgreSQL access method; btree when absent. */
  method?: 'gin';
  /** PostgreSQL covering columns. */
  include?: readonly string[];
  /** Partial index predicate. */
  where?: DialectText;
}

export interface Table {
  name: string;
  columns: readonly Column[];
  /** Defaults to pk_<table> over id. */
  primaryKey?: {columns: readonly string[]; name: string};
  uniques?: readonly UniqueConstraint[];
  foreignKeys?: readonly ForeignKey[];
  checks?: readonly CheckConstraint[];
  indexes?: readonly Index[];
}

export interface Catalogue {
  enums: readonly EnumDef[];
  tables: readonly Table[];
}
