import Database from 'better-sqlite3';
import pg from 'pg';

export type QueryRow = Record<string, unknown>;

/**
 * Plain SQL against a test database given as prefectdb's --db value (SQLite path or
 * PostgreSQL URL). Write the SQL with ? placeholders; values come back as each driver
 * gives them (see normalise() for comparing the two).
 */
export async function queryDb(db: string, sql: string, params: unknown[] = []): Promise<QueryRow[]> {
  if (!db.startsWith('postgres')) {
    const sqlite = new Database(db, {readonly: true, fileMustExist: true});
    try {
      return sqlite.prepare(sql).all(...params) as QueryRow[];
    } finally {
      sqlite.close();
    }
  }
  // Timestamps as text, so microseconds survive.
  const raw = (value: string) => value;
  const types = {getTypeParser: (oid: number, format?: string) => (oid === 1184 || oid === 1114 ? raw : pg.types.getTypeParser(oid, format as 'text'))};
  const client = new pg.Client({connectionString: db, types: types as unknown as pg.CustomTypesConfig});
  await client.connect();
  try {
    let n = 0;
    return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as QueryRow[];
  } finally {
    await client.end();
  }
}

/** Dialect-neutral values: JSON text parsed, 0/1 booleans, timestamps as ISO µs Z. */
export function normalise(value: unknown): unknown {
  if (typeof value === 'string') {
    const time = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(\+00)?$/.exec(value);
    if (time) return `${time[1]}T${time[2]}.${(time[3] ?? '').padEnd(6, '0')}Z`;
    if (/^[[{]/.test(value)) {
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    }
  }
  return value;
}
