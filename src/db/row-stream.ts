import type {Knex} from 'knex';

import {type Database, openSideSqliteConnection} from './connection.js';

/** A result row as the values of the selected columns, in the select list's order. */
export type RowValues = unknown[];

/**
 * Hands a query's rows to `onBatch` a batch at a time as the database produces them, so a
 * list of any length passes through bounded memory. SQLite steps one statement on a side
 * connection (the pooled one stays free for lookups); PostgreSQL reads a cursor inside a
 * transaction. `onBatch` is awaited before the next batch is read: a slow consumer (a full
 * stdout pipe) holds the reading back. Rows come as arrays: both drivers build those several
 * times faster than objects, which counts at a million rows.
 */
export async function streamRows(db: Database, query: Knex.QueryBuilder, batchSize: number, onBatch: (rows: RowValues[]) => Promise<void>): Promise<void> {
  const compiled = query.toSQL();
  if (db.dialect === 'sqlite') {
    const conn = await openSideSqliteConnection(db);
    try {
      const statement = conn.prepare(compiled.sql).raw(true);
      const safeIntegers = (compiled.options as {safeIntegers?: unknown} | undefined)?.safeIntegers;
      if (typeof safeIntegers === 'boolean') statement.safeIntegers(safeIntegers);
      let batch: RowValues[] = [];
      for (const row of statement.iterate(...sqliteBindings(compiled.bindings)) as IterableIterator<RowValues>) {
        batch.push(row);
        if (batch.length < batchSize) continue;
        await onBatch(batch);
        batch = [];
      }
      if (batch.length > 0) await onBatch(batch);
    } finally {
      conn.close();
    }
    return;
  }
  await db.knex.transaction(async (trx) => {
    await trx.raw(`declare prefectdb_rows no scroll cursor for ${compiled.sql}`, compiled.bindings as Knex.RawBinding[]);
    for (;;) {
      const {rows}: {rows: RowValues[]} = await trx.raw(`fetch ${Math.trunc(batchSize)} from prefectdb_rows`).options({rowMode: 'array'});
      if (rows.length === 0) break;
      await onBatch(rows);
    }
  });
}

/** What better-sqlite3 accepts, as Knex's own client converts them. */
function sqliteBindings(bindings: readonly unknown[]): unknown[] {
  return bindings.map((binding) => (binding instanceof Date ? binding.valueOf() : typeof binding === 'boolean' ? Number(binding) : binding));
}
