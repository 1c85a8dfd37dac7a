import type {Knex} from 'knex';

import {whereIdIn} from '../db/sql-dialect.js';

import type {Db, RepositoryContext} from './common.js';
import {chunks} from './run-deletion.js';

/**
 * The selections and statements of `db clean` beyond run deletion: which flow runs are past
 * retention (Prefect's db_vacuum rule), old events, and the storage figures around VACUUM.
 */

export const TERMINAL_STATE_TYPES = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'] as const;

export interface RetentionRule {
  /** Encoded as the database stores timestamps. */
  endedBefore: string;
  stateTypes: readonly string[];
}

/**
 * Top-level flow runs in a terminal state whose end time is before the cutoff, a page in
 * (end_time, id) order after `after` — through the end_time index, so a few old runs in a
 * large table are found without scanning it.
 */
export async function expiredRunPage(db: Db, rule: RetentionRule, after: {endTime: string; id: string} | undefined, size: number): Promise<Array<{id: string; endTime: string}>> {
  const query = db('flow_run')
    .whereNull('parent_task_run_id')
    .whereIn('state_type', [...rule.stateTypes])
    .whereNotNull('end_time')
    .where('end_time', '<', rule.endedBefore)
    .orderBy([{column: 'end_time'}, {column: 'id'}])
    .limit(size)
    .select('id', 'end_time');
  if (after) query.where((q) => q.where('end_time', '>', after.endTime).orWhere((q2) => q2.where('end_time', after.endTime).where('id', '>', after.id)));
  const rows: Array<{id: string; end_time: unknown}> = await query;
  // The end time goes back as the next page's bound exactly as read (microseconds kept).
  return rows.map((r) => ({id: String(r.id).toLowerCase(), endTime: r.end_time as string}));
}

export async function countExpiredRuns(db: Db, rule: RetentionRule): Promise<number> {
  const [{n}] = await db('flow_run')
    .whereNull('parent_task_run_id')
    .whereIn('state_type', [...rule.stateTypes])
    .whereNotNull('end_time')
    .where('end_time', '<', rule.endedBefore)
    .count({n: '*'});
  return Number(n);
}

export const EVENT_TABLES = ['event_resources', 'events'] as const;
export type EventTable = (typeof EVENT_TABLES)[number];

/** Rows of an event table that occurred before the cutoff, a page in id order after `after`. */
export async function oldEventIds(db: Db, table: EventTable, occurredBefore: string, after: string | undefined, size: number): Promise<string[]> {
  const query = db(table).where('occurred', '<', occurredBefore).orderBy('id').limit(size).select('id');
  if (after !== undefined) query.where('id', '>', after);
  return ((await query) as Array<{id: string}>).map((r) => String(r.id).toLowerCase());
}

export async function deleteByIds(trx: Knex.Transaction, table: string, ids: readonly string[], archive?: (table: string, rows: Array<Record<string, unknown>>) => void | Promise<void>): Promise<number> {
  let deleted = 0;
  for (const part of chunks(ids)) {
    if (archive) {
      const rows = await trx(table).where((q) => whereIdIn(q, 'id', part)).select('*');
      if (rows.length > 0) await archive(table, rows);
    }
    deleted += Number(await trx(table).where((q) => whereIdIn(q, 'id', part)).delete());
  }
  return deleted;
}

/** Bytes on disk: the SQLite file (pages in use and free), or each PostgreSQL table with its indexes and TOAST. */
export async function storageSizes(ctx: RepositoryContext, tables: readonly string[]): Promise<Record<string, number>> {
  const {knex} = ctx.db;
  if (ctx.db.dialect === 'sqlite') {
    const pageSize = Number((await knex.raw('pragma page_size'))[0].page_size);
    const pages = Number((await knex.raw('pragma page_count'))[0].page_count);
    const free = Number((await knex.raw('pragma freelist_count'))[0].freelist_count);
    return {database_bytes: pages * pageSize, free_bytes: free * pageSize};
  }
  const sizes: Record<string, number> = {};
  for (const table of tables) {
    if (!ctx.schema.hasTable(table)) continue;
    const {rows} = await knex.raw('select pg_total_relation_size(to_regclass(?)) as bytes', [table]);
    sizes[table] = Number(rows[0].bytes);
  }
  return sizes;
}

/** Gives freed space back: VACUUM on SQLite (the whole file), VACUUM (ANALYZE) of these tables on PostgreSQL. */
export async function vacuum(ctx: RepositoryContext, tables: readonly string[]): Promise<void> {
  if (ctx.db.dialect === 'sqlite') {
    await ctx.db.knex.raw('vacuum');
    return;
  }
  for (const table of tables) if (ctx.schema.hasTable(table)) await ctx.db.knex.raw('vacuum (analyze) ??', [table]);
}
