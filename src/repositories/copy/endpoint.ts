import type {Dialect} from '../../db/dialect.js';

/** One stored row, its values in the order of the columns asked for. */
export type RawRow = unknown[];

export interface LiveColumn {
  name: string;
  /** SQLite's declared type (DATETIME, JSON …) or PostgreSQL's data_type (jsonb, uuid …). */
  declaredType: string;
  notNull: boolean;
}

export interface LiveForeignKey {
  table: string;
  column: string;
  references: string;
  /** ON DELETE CASCADE: the row belongs to its parent, rather than merely pointing at it. */
  cascades: boolean;
}

export interface ColumnRead {
  name: string;
  /** JSON columns are read as their stored text, so a JSON null stays apart from SQL NULL. */
  json: boolean;
}

export interface RejectedRow {
  table: string;
  id: string;
  reason: string;
}

export interface InsertOutcome {
  copied: number;
  /** Rows left out because a row with the same key was already there (--append). */
  skipped: number;
  rejected: RejectedRow[];
}

/** prefectdb's marker of a copy in progress, kept in the target until the copy is done. */
export const COPY_BOOKKEEPING_TABLE = 'prefectdb_copy';

/**
 * A database as `db copy` reads and writes it: whole tables in key order, through the
 * driver's fastest path. Values are what the driver hands over (source) or what the
 * dialect's codec produced (target); this layer never converts them.
 */
export interface CopyEndpoint {
  readonly dialect: Dialect;
  tables(): Promise<Map<string, LiveColumn[]>>;
  foreignKeys(): Promise<LiveForeignKey[]>;
  count(table: string): Promise<number>;
  hasRows(table: string): Promise<boolean>;
  maxKey(table: string, key: string): Promise<string | null>;
  minKey(table: string, key: string): Promise<string | null>;
  /** Up to `limit` rows with a key above `after`, in key order. */
  readPage(table: string, columns: readonly ColumnRead[], key: string, after: string | null, limit: number): Promise<RawRow[]>;
  /** [key, value] of rows whose `column` is set, in key order after `after`. */
  readPointers(table: string, key: string, column: string, after: string | null, limit: number): Promise<Array<[string, unknown]>>;
  /** Inserts encoded rows in one transaction; rows the target refuses are named, the rest go in. */
  insertRows(table: string, columns: readonly string[], key: string, rows: readonly RawRow[], skipExisting: boolean): Promise<InsertOutcome>;
  /** Sets `column` of the rows with these keys where it is still NULL. */
  fillPointers(table: string, key: string, column: string, pairs: ReadonlyArray<[string, unknown]>): Promise<RejectedRow[]>;
  /**
   * Rows whose foreign keys point at nothing. Only a target that loaded with its
   * foreign-key checks off (PostgreSQL as superuser) can hold any.
   */
  foreignKeyViolations(): Promise<RejectedRow[]>;
  /** Deletes rows by key (their children go with them as the foreign keys say). */
  deleteRows(table: string, key: string, ids: readonly string[]): Promise<void>;
  /**
   * Drops the plain (non-unique) indexes of these tables, keeping each definition in the
   * copy marker table in the same transaction, so an interrupted copy can still rebuild them.
   */
  deferIndexes(tables: readonly string[]): Promise<void>;
  /** Rebuilds every index deferIndexes() put aside, one at a time. */
  /** `onIndex` hears each index built, with how many there are in all. */
  restoreIndexes(onIndex?: (done: number, total: number) => void): Promise<void>;
  replaceRevision(revision: string): Promise<void>;
  analyze(): Promise<void>;
  readBookkeeping(): Promise<string | null>;
  writeBookkeeping(value: string): Promise<void>;
  dropBookkeeping(): Promise<void>;
  release(): Promise<void>;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
