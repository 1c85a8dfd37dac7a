import type {Database} from '../../src/db/connection.js';

/**
 * Every row of every table, as stored (no decoding), keyed by id: for "nothing else was
 * touched" checks — compare a snapshot before a write with one after, minus what the write
 * was meant to change.
 */
export type TableSnapshot = Map<string, Map<string, string>>;

export async function snapshotTables(db: Database): Promise<TableSnapshot> {
  const tables: string[] =
    db.dialect === 'sqlite'
      ? (await db.knex.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")).map((r: {name: string}) => r.name)
      : (await db.knex.raw("select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'")).rows.map(
          (r: {name: string}) => r.name,
        );
  const snapshot: TableSnapshot = new Map();
  for (const table of tables.sort()) {
    const rows: Array<Record<string, unknown>> = await db.knex(table).select('*');
    const byKey = new Map<string, string>();
    for (const row of rows) {
      const text = JSON.stringify(row, (_key, value) => (Buffer.isBuffer(value) ? value.toString('hex') : value));
      byKey.set(row.id === undefined ? text : String(row.id).toLowerCase(), text);
    }
    snapshot.set(table, byKey);
  }
  return snapshot;
}

/**
 * The differences between two snapshots, except rows listed in `expected`: deleted (by table
 * and id) or changed (by table and id). Empty when the write touched exactly what it should.
 */
export function unexpectedChanges(before: TableSnapshot, after: TableSnapshot, expected: {deleted?: Record<string, Iterable<string>>; changed?: Record<string, Iterable<string>>} = {}): string[] {
  const problems: string[] = [];
  const setOf = (map: Record<string, Iterable<string>> | undefined, table: string) => new Set([...(map?.[table] ?? [])].map((id) => id.toLowerCase()));
  for (const [table, rows] of before) {
    const deleted = setOf(expected.deleted, table);
    const changed = setOf(expected.changed, table);
    const now = after.get(table) ?? new Map();
    for (const [key, text] of rows) {
      if (deleted.has(key)) {
        if (now.has(key)) problems.push(`${table} ${key}: should be deleted`);
      } else if (!now.has(key)) problems.push(`${table} ${key}: deleted unexpectedly`);
      else if (!changed.has(key) && now.get(key) !== text) problems.push(`${table} ${key}: changed unexpectedly`);
    }
    for (const key of now.keys()) if (!rows.has(key)) problems.push(`${table} ${key}: appeared unexpectedly`);
  }
  return problems.slice(0, 20);
}
