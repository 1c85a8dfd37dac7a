// Knex's SQLite dialect classes, which its typings do not export (see sqlite-client.ts).
declare module 'knex/lib/dialects/better-sqlite3/index.js' {
  const BetterSqliteClient: new (...args: unknown[]) => {_query<T extends object>(connection: unknown, obj: T): Promise<T>};
  export default BetterSqliteClient;
}
declare module 'knex/lib/dialects/sqlite3/execution/sqlite-transaction.js' {
  const SqliteTransaction: new (...args: unknown[]) => {query(conn: unknown, sql: string): unknown};
  export default SqliteTransaction;
}
