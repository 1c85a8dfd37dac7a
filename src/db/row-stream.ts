import type {Knex} from 'knex';

import {type Database, openSideSqliteConnection} from './connection.js';

type Row = Record<string, unknown>;

/** A query's rows read on demand, a batch at a time, until close(). */
export interface RowCursor {
  /** Up to `size` more rows; none when the query is exhausted. */
  next(size: number): Promise<Row[]>;
  close(): Promise<void>;
}

let cursors = 0;

/**
 * Opens a cursor over a query's rows, so a list of any length passes through bounded memory
 * and several queries can be read side by side. SQLite steps one statement on a side
 * connection of its own (the pooled one stays free for lookups); PostgreSQL reads a
 * server-side cursor inside a transaction of its own, rolled back on close (it only reads).
 */
export async function openRowCursor(db: Database, query: Knex.QueryBuilder): Promise<RowCursor> {
  const compiled = query.toSQL();
  if (db.dialect === 'sqlite') {
    const conn = await openSideSqliteConnection(db);
    try {
      const statement = conn.prepare(compiled.sql);
      const safeIntegers = (compiled.options as {safeIntegers?: unknown} | undefined)?.safeIntegers;
      if (typeof safeIntegers === 'boolean') statement.safeIntegers(safeIntegers);
      const rows = statement.iterate(...sqliteBindings(compiled.bindings));
      return {
        async next(size) {
          const batch: Row[] = [];
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
      const {rows}: {rows: Row[]} = await trx.raw(`fetch ${Math.trunc(size)} from ${name}`);
      return rows;
    },
    async close() {
      if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
    },
  };
}

/**
 * Hands a query's rows to `onBatch` a batch at a time as the database produces them.
 * `onBatch` is awaited before the next batch is read: a slow consumer (a full stdout pipe)
 * holds the reading back.
 */
export async function streamRows(db: Database, query: Knex.QueryBuilder, batchSize: number, onBatch: (rows: Row[]) => Promise<void>): Promise<void> {
  const cursor = await openRowCursor(db, query);
  try {
    for (let rows = await cursor.next(batchSize); rows.length > 0; rows = await cursor.next(batchSize)) await onBatch(rows);
  } finally {
    await cursor.close();
  }
}

/** What better-sqlite3 accepts, as Knex's own client converts them. */
function sqliteBindings(bindings: readonly unknown[]): unknown[] {
  return bindings.map((binding) => (binding instanceof Date ? binding.valueOf() : typeof binding === 'boolean' ? Number(binding) : binding));
}
