// Imported (not required by path) so a bundle holds one copy of Knex, shared with connection.ts.
import BetterSqliteClient from 'knex/lib/dialects/better-sqlite3/index.js';
import SqliteTransaction from 'knex/lib/dialects/sqlite3/execution/sqlite-transaction.js';

/**
 * Prefect writes inside BEGIN IMMEDIATE so a writer takes the lock up front and waits on
 * busy_timeout instead of failing when a live server holds the file. Knex only issues BEGIN.
 */
class ImmediateTransaction extends SqliteTransaction {
  begin(conn: unknown) {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}

export class ImmediateBetterSqliteClient extends BetterSqliteClient {
  transaction(...args: unknown[]) {
    return new (ImmediateTransaction as new (...a: unknown[]) => unknown)(this, ...args);
  }
}
