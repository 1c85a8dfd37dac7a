import type {Knex} from 'knex';

import {type Database, openSideSqliteConnection} from './connection.js';

type Row = Record<string, unknown>;

/** Rows per batch of a streamed list: a few hundred kilobytes of records at a time. */
export const STREAM_BATCH = 500;

/** A result row as the values of the selected columns, in the select list's order. */
export type RowValues = unknown[];

/** A query's rows read on demand, a batch at a time, until close(). */
export interface RowCursor<R = Row> {
  /** Up to `size` more rows; none when the query is exhausted. */
  next(size: number): Promise<R[]>;
  close(): Promise<void>;
}

let cursors = 0;

/**
 * Opens a cursor over a query's rows, so a list of any length passes through bounded memory
 * and several queries can be read side by side. SQLite steps one statement on a side
 * connection of its own (the pooled one stays free for lookups); PostgreSQL reads a
 * server-side cursor inside a transaction of its own, rolled back on close (it only reads).
 * With 'arrays', rows come as RowValues: both drivers build those several times faster than
 * objects, which counts at a million rows.
 */
export async function openRowCursor(db: Database, query: Knex.QueryBuilder): Promise<RowCursor<Row>>;
export async function openRowCursor(db: Database, query: Knex.QueryBuilder, shape: 'arrays'): Promise<RowCursor<RowValues>>;
export async function openRowCursor(db: Database, query: Knex.QueryBuilder, shape?: 'arrays'): Promise<RowCursor<Row | RowValues>> {
  const compiled = query.toSQL();
  const arrays = shape === 'arrays';
  if (db.dialect === 'sqlite') {
    const conn = await openSideSqliteConnection(db);
    try {
      const statement = conn.prepare(compiled.sql).raw(arrays);
      const safeIntegers = (compiled.options as {safeIntegers?: unknown} | undefined)?.safeIntegers;
      if (typeof safeIntegers === 'boolean') statement.safeIntegers(safeIntegers);
      const rows = statement.iterate(...sqliteBindings(compiled.bindings)) as IterableIterator<Row | RowValues>;
      return {
        async next(size) {
          const batch: Array<Row | RowValues> = [];
          while (batch.length < size) {
            const step = rows.next();
            if (step.done) break;
            batch.push(step.value);
          }
          return batch;
        },
        async close() {
          rows.return?.();
          conn.close();
        },
      };
    } catch (error) {
      conn.close();
      throw error;
    }
  }
  const trx = await db.knex.transaction();
  const name = `prefectdb_rows_${++cursors}`;
  try {
    await trx.raw(`declare ${name} no scroll cursor for ${compiled.sql}`, compiled.bindings as Knex.RawBinding[]);
  } catch (error) {
    await trx.rollback().catch(() => undefined);
    throw error;
  }
  return {
    async next(size) {
      const fetch = trx.raw(`fetch ${Math.trunc(size)} from ${name}`);
      const {rows}: {rows: Array<Row | RowValues>} = await (arrays ? fetch.options({rowMode: 'array'}) : fetch);
      return rows;
    },
    async close() {
      if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
    },
  };
}

/**
 * Hands a query's rows, as values in select-list order, to `onBatch` a batch at a time as
 * the database produces them. `onBatch` is awaited before the next batch is read: a slow
 * consumer (a full stdout pipe) holds the reading back.
 */
export async function streamRows(db: Database, query: Knex.QueryBuilder, batchSize: number, onBatch: (rows: RowValues[]) => Promise<void>): Promise<void> {
  await drainCursor(await openRowCursor(db, query, 'arrays'), batchSize, onBatch);
}

/** streamRows with rows as objects keyed by column, for lists whose converters read those. */
export async function streamRowObjects(db: Database, query: Knex.QueryBuilder, batchSize: number, onBatch: (rows: Row[]) => Promise<void>): Promise<void> {
  await drainCursor(await openRowCursor(db, query), batchSize, onBatch);
}

async function drainCursor<R>(cursor: RowCursor<R>, batchSize: number, onBatch: (rows: R[]) => Promise<void>): Promise<void> {
  try {
    for (let rows = await cursor.next(batchSize); rows.length > 0; rows = await cursor.next(batchSize)) await onBatch(rows);
  } finally {
    await cursor.close();
  }
}

/** What better-sqlite3 accepts, as Knex's own client converts them. */
/** Knex's bindings as better-sqlite3 takes them. */
export function sqliteBindings(bindings: readonly unknown[]): unknown[] {
  return bindings.map((binding) => (binding instanceof Date ? binding.valueOf() : typeof binding === 'boolean' ? Number(binding) : binding));
}
