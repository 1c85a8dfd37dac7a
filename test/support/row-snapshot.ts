import {createHash} from 'node:crypto';

import type {Knex} from 'knex';

/**
 * Every table's rows, as one digest per table: two snapshots are equal exactly when no row
 * was added, removed or changed. On SQLite the values are compared as stored (raw text).
 */
export async function rowSnapshot(knex: Knex, dialect: 'sqlite' | 'postgres', except: readonly string[] = []): Promise<Record<string, string>> {
  const tables: string[] =
    dialect === 'sqlite'
      ? (await knex.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`)).map((r: {name: string}) => r.name)
      : (await knex.raw(`select tablename from pg_tables where schemaname = current_schema() order by tablename`)).rows.map((r: {tablename: string}) => r.tablename);
  const out: Record<string, string> = {};
  for (const table of tables.filter((t) => !except.includes(t))) {
    const rows = (await knex(table).select('*')).map((row: Record<string, unknown>) => JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    out[table] = createHash('sha256').update(rows.sort().join('\n')).digest('hex') + `:${rows.length}`;
  }
  return out;
}
