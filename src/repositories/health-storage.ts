import {statSync} from 'node:fs';

import type {Knex} from 'knex';

/**
 * Storage facts Prefect's database-maintenance guide has operators watch: on SQLite the
 * share of free pages and the WAL file's size; on PostgreSQL table and index sizes, dead
 * tuples (bloat) and tables the planner has no statistics for.
 */

export interface TableSize {
  table: string;
  /** Table and its indexes together. */
  total_bytes: number;
  table_bytes: number;
  index_bytes: number;
}

export async function tableSizes(knex: Knex, dialect: 'sqlite' | 'postgres'): Promise<TableSize[]> {
  if (dialect === 'sqlite') {
    const rows: Array<{table: string; type: string; bytes: number}> = await knex.raw(
      // aggregate = 1: one row per b-tree, summed inside dbstat, instead of a row per page.
      `select m.tbl_name as "table", m.type as type, sum(s.pgsize) as bytes
         from dbstat s join sqlite_master m on m.name = s.name
        where s.aggregate = 1
        group by m.tbl_name, m.type`,
    );
    const byTable = new Map<string, TableSize>();
    for (const row of rows) {
      const size = byTable.get(row.table) ?? {table: row.table, total_bytes: 0, table_bytes: 0, index_bytes: 0};
      if (row.type === 'index') size.index_bytes += Number(row.bytes);
      else size.table_bytes += Number(row.bytes);
      size.total_bytes += Number(row.bytes);
      byTable.set(row.table, size);
    }
    return [...byTable.values()].sort((a, b) => b.total_bytes - a.total_bytes || a.table.localeCompare(b.table));
  }
  const {rows} = await knex.raw(
    `select c.relname as "table", pg_total_relation_size(c.oid) as total_bytes, pg_relation_size(c.oid) as table_bytes, pg_indexes_size(c.oid) as index_bytes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r'
      order by 2 desc, 1`,
  );
  return rows.map((row: Record<string, unknown>) => ({
    table: String(row.table),
    total_bytes: Number(row.total_bytes),
    table_bytes: Number(row.table_bytes),
    index_bytes: Number(row.index_bytes),
  }));
}

export interface SqliteStorage {
  page_size: number;
  page_count: number;
  freelist_count: number;
  wal_bytes: number | null;
}

export async function sqliteStorage(knex: Knex, filename: string): Promise<SqliteStorage> {
  const pragma = async (name: string) => Number(Object.values((await knex.raw(`pragma ${name}`))[0] as object)[0]);
  let walBytes: number | null = null;
  try {
    walBytes = statSync(`${filename}-wal`).size;
  } catch {
    walBytes = null;
  }
  return {page_size: await pragma('page_size'), page_count: await pragma('page_count'), freelist_count: await pragma('freelist_count'), wal_bytes: walBytes};
}

export interface PostgresTableHealth {
  table: string;
  live_tuples: number;
  dead_tuples: number;
  analyzed: boolean;
}

export async function postgresTableHealth(knex: Knex): Promise<PostgresTableHealth[]> {
  const {rows} = await knex.raw(
    `select relname as "table", n_live_tup as live, n_dead_tup as dead,
            (last_analyze is not null or last_autoanalyze is not null) as analyzed
       from pg_stat_user_tables where schemaname = current_schema() order by relname`,
  );
  return rows.map((row: Record<string, unknown>) => ({
    table: String(row.table),
    live_tuples: Number(row.live),
    dead_tuples: Number(row.dead),
    analyzed: Boolean(row.analyzed),
  }));
}

/** Tables holding rows that the planner has no statistics for (pg_stats has nothing on them). */
export async function postgresTablesWithoutStatistics(knex: Knex): Promise<string[]> {
  const {rows} = await knex.raw(
    `select c.relname as "table" from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r'
        and not exists (select 1 from pg_stats s where s.schemaname = n.nspname and s.tablename = c.relname)
      order by 1`,
  );
  const tables: string[] = [];
  for (const {table} of rows as Array<{table: string}>) {
    const {rows: found} = await knex.raw('select exists (select 1 from ??) as has_rows', [table]);
    if (found[0].has_rows) tables.push(table);
  }
  return tables;
}

export async function analyzeTables(knex: Knex, tables: readonly string[]): Promise<void> {
  for (const table of tables) await knex.raw('analyze ??', [table]);
}

export async function vacuum(knex: Knex, dialect: 'sqlite' | 'postgres', tables: readonly string[] = []): Promise<void> {
  if (dialect === 'sqlite') {
    await knex.raw('vacuum');
    return;
  }
  for (const table of tables) await knex.raw('vacuum (analyze) ??', [table]);
}

export async function checkpointWal(knex: Knex): Promise<void> {
  await knex.raw('pragma wal_checkpoint(TRUNCATE)');
}
