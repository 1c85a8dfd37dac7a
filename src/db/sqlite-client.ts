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

interface QueryObject {
  options?: Record<string, unknown>;
  response?: unknown;
  context?: {lastID?: unknown};
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An integer as a number when a number holds it exactly, else as the bigint: a JSON scalar
 * Python stored (9007199254740993 has INTEGER affinity) must reach the codec unrounded.
 */
function exactInteger(value: bigint): number | bigint {
  return value <= MAX_EXACT && value >= -MAX_EXACT ? Number(value) : value;
}

function withExactIntegers(row: unknown): void {
  if (!row || typeof row !== 'object') return;
  const record = row as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (typeof value === 'bigint') record[key] = exactInteger(value);
  }
}

export class ImmediateBetterSqliteClient extends BetterSqliteClient {
  transaction(...args: unknown[]) {
    return new (ImmediateTransaction as new (...a: unknown[]) => unknown)(this, ...args);
  }

  /** Reads integers exactly (better-sqlite3 rounds past 2^53 unless asked for bigints). */
  async _query<T extends QueryObject>(connection: unknown, obj: T): Promise<T> {
    obj.options = {safeIntegers: true, ...obj.options};
    const result = await super._query(connection, obj);
    if (Array.isArray(result.response)) for (const row of result.response) withExactIntegers(row);
    if (result.context && typeof result.context.lastID === 'bigint') result.context.lastID = exactInteger(result.context.lastID);
    return result;
  }
}
