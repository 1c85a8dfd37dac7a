import type {Knex} from 'knex';

import {whereIdIn} from '../db/sql-dialect.js';
import type {Db, RepositoryContext} from './common.js';
import {chunks} from './run-deletion.js';

/**
 * Rows left pointing at nothing — the faults Prefect's own deletes leave behind, since these
 * tables have no foreign keys: logs and artifacts whose flow run or task run is gone,
 * task_run_state_cache rows whose state is gone. Scanned window by window in id order, so a
 * sweep of a large table is one pass in short transactions. Shared by `db clean` (which
 * deletes them) and `db doctor` (which counts and samples them). Dangling artifact
 * collections are in artifact-collections.ts; Scheduled runs of deleted deployments below.
 */
export const ORPHAN_TABLES = ['log', 'artifact', 'task_run_state_cache'] as const;
export type OrphanTable = (typeof ORPHAN_TABLES)[number];

/** The SQL condition that makes a row of `table` an orphan (the table is not aliased). */
function orphanCondition(db: Db, table: OrphanTable): Knex.Raw {
  if (table === 'task_run_state_cache') {
    return db.raw('not exists (select 1 from task_run_state where task_run_state.id = task_run_state_cache.task_run_state_id)');
  }
  return db.raw(
    `((??.flow_run_id is not null and not exists (select 1 from flow_run where flow_run.id = ??.flow_run_id))
      or (??.task_run_id is not null and not exists (select 1 from task_run where task_run.id = ??.task_run_id)))`,
    [table, table, table, table],
  );
}

export function hasOrphanTable(ctx: RepositoryContext, table: OrphanTable): boolean {
  return ctx.schema.hasTable(table);
}

/**
 * One window of `size` rows of `table` after id `after`, in id order: the orphans in it and
 * the window's last id (undefined once the table is exhausted).
 */
export async function orphanWindow(db: Db, table: OrphanTable, after: string | undefined, size: number): Promise<{orphans: string[]; last: string | undefined}> {
  const cond = orphanCondition(db, table);
  const query = db(table)
    .select('id', db.raw(`case when ${cond.toQuery()} then 1 else 0 end as orphan`))
    .orderBy('id')
    .limit(size);
  if (after !== undefined) query.where('id', '>', after);
  const rows: Array<{id: string; orphan: number | string}> = await query;
  return {
    orphans: rows.filter((r) => Number(r.orphan) === 1).map((r) => String(r.id).toLowerCase()),
    last: rows.length < size ? undefined : String(rows[rows.length - 1].id).toLowerCase(),
  };
}

/** Deletes these rows of `table` if they are still orphans (a run may have come back meanwhile: never). */
export async function deleteOrphans(trx: Knex.Transaction, table: OrphanTable, ids: readonly string[], archive?: (table: string, rows: Array<Record<string, unknown>>) => void | Promise<void>): Promise<number> {
  let deleted = 0;
  for (const part of chunks(ids)) {
    const still = () => trx(table).where((q) => whereIdIn(q, 'id', part)).where(orphanCondition(trx, table));
    if (archive) {
      const rows = await still().select('*');
      if (rows.length > 0) await archive(table, rows);
    }
    deleted += Number(await still().delete());
  }
  return deleted;
}

/** How many orphans `table` holds, and a few of their ids (for reports). */
export async function countOrphans(db: Db, table: OrphanTable, sampleSize = 5): Promise<{count: number; sample: string[]}> {
  const [{n}] = await db(table).where(orphanCondition(db, table)).count({n: '*'});
  const sample = ((await db(table).where(orphanCondition(db, table)).orderBy('id').limit(sampleSize).select('id')) as Array<{id: string}>).map((r) => String(r.id).toLowerCase());
  return {count: Number(n), sample};
}

/** Scheduled flow runs whose deployment no longer exists, a page after id `after`. */
export async function orphanScheduledRunIds(db: Db, after: string | undefined, size: number): Promise<string[]> {
  const query = db('flow_run')
    .where('state_type', 'SCHEDULED')
    .whereNotNull('deployment_id')
    .whereNotExists((sub) => sub.from('deployment').whereRaw('deployment.id = flow_run.deployment_id').select(db.raw('1')))
    .orderBy('id')
    .limit(size)
    .select('id');
  if (after !== undefined) query.where('id', '>', after);
  return ((await query) as Array<{id: string}>).map((r) => String(r.id).toLowerCase());
}
