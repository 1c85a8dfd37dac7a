import type {Knex} from 'knex';

import {whereIdIn} from '../db/sql-dialect.js';

import type {RepositoryContext} from './common.js';

/**
 * The SQL behind deleting runs (services/run-deletion.ts drives it): which flow runs a delete
 * reaches through subflows, how many rows each table loses per requested run, and the deletes
 * themselves. Every function works inside the caller's transaction on id lists of one batch.
 */

/** Tables a run delete removes rows from, in the order reports list them. */
export const RUN_DELETION_TABLES = [
  'flow_run',
  'flow_run_state',
  'task_run',
  'task_run_state',
  'task_run_state_cache',
  'flow_run_input',
  'log',
  'artifact',
  'artifact_collection',
] as const;

export type RunDeletionTable = (typeof RUN_DELETION_TABLES)[number];

/** A flow run reached by a delete, and the requested run (flow or task run) it belongs to. */
export interface OwnedRun {
  root: string;
  id: string;
}

// Bindings per statement stay far below SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK = 2000;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The flow runs a delete of `roots` removes, each with the root it belongs to. Flow-run roots
 * own themselves; task-run roots own the subflows they are the parent task run of. With
 * `recursive`, subflows of those runs follow, at any depth; a requested root is never taken
 * into another root's tree, so every run is counted once, under its own request. Walked level
 * by level with explicit id lists (a recursive CTE leaves PostgreSQL's planner guessing, and it
 * then scans task_run and flow_run whole for every batch).
 */
export async function flowRunsReached(trx: Knex.Transaction, kind: 'flow_run' | 'task_run', roots: readonly string[], recursive: boolean): Promise<OwnedRun[]> {
  if (roots.length === 0) return [];
  if (kind === 'task_run' && !recursive) return [];
  const reached: OwnedRun[] = [];
  const seen = new Set<string>(kind === 'flow_run' ? [] : roots);
  const take = (root: string, id: string) => {
    if (seen.has(id)) return false;
    seen.add(id);
    reached.push({root, id});
    return true;
  };
  // Every root is taken first, so a requested run that is also a subflow of another stays its own root.
  let frontier: OwnedRun[] = [];
  for (const part of chunks(roots)) {
    const rows: Array<{root: string; id: string}> =
      kind === 'flow_run'
        ? await trx('flow_run').where((q) => whereIdIn(q, 'id', part)).select({root: 'id', id: 'id'})
        : await trx('flow_run').where((q) => whereIdIn(q, 'parent_task_run_id', part)).select({root: 'parent_task_run_id', id: 'id'});
    for (const row of rows) {
      const run = {root: String(row.root).toLowerCase(), id: String(row.id).toLowerCase()};
      if (take(run.root, run.id)) frontier.push(run);
    }
  }
  while (recursive && frontier.length > 0) {
    const rootOf = new Map(frontier.map((run) => [run.id, run.root]));
    const next: OwnedRun[] = [];
    for (const part of chunks(frontier.map((run) => run.id))) {
      const rows: Array<{parent: string; id: string}> = await trx('task_run')
        .join('flow_run', 'flow_run.parent_task_run_id', 'task_run.id')
        .where((q) => whereIdIn(q, 'task_run.flow_run_id', part))
        .select({parent: 'task_run.flow_run_id', id: 'flow_run.id'});
      for (const row of rows) {
        const run = {root: rootOf.get(String(row.parent).toLowerCase()) as string, id: String(row.id).toLowerCase()};
        if (take(run.root, run.id)) next.push(run);
      }
    }
    frontier = next;
  }
  return reached;
}

/** The task runs among `ids` that exist. */
export async function existingTaskRuns(trx: Knex.Transaction, ids: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const part of chunks(ids)) {
    const rows: Array<{id: string}> = await trx('task_run').where((q) => whereIdIn(q, 'id', part)).select('id');
    found.push(...rows.map((r) => String(r.id)));
  }
  return found;
}

export type CountsByKey = Map<string, number>;

/**
 * Rows per table that deleting the flow runs `flowRunIds` and the task runs `taskRunIds`
 * removes, grouped by the flow run (or task run) they hang from. Logs and artifacts count by
 * their flow_run_id (task-run roots: by task_run_id), as Prefect's own log cleanup selects them.
 */
export async function countRowsUnder(
  ctx: RepositoryContext,
  trx: Knex.Transaction,
  flowRunIds: readonly string[],
  taskRunIds: readonly string[],
): Promise<Map<RunDeletionTable, {byFlowRun: CountsByKey; byTaskRun: CountsByKey}>> {
  const result = new Map<RunDeletionTable, {byFlowRun: CountsByKey; byTaskRun: CountsByKey}>();
  const grouped = (table: string, key: string) => (ids: string[]) => trx(table).where((q) => whereIdIn(q, key, ids)).groupBy(key).select({key});
  const statesOfTasks = (key: 'task_run.flow_run_id' | 'task_run.id') => (ids: string[]) =>
    trx('task_run_state').join('task_run', 'task_run.id', 'task_run_state.task_run_id').where((q) => whereIdIn(q, key, ids)).groupBy(key).select({key});
  const hasCache = ctx.schema.hasTable('task_run_state_cache');
  type Count = (ids: string[]) => Knex.QueryBuilder;
  const byFlowRun: Array<[RunDeletionTable, Count]> = [
    ['flow_run_state', grouped('flow_run_state', 'flow_run_id')],
    ['task_run', grouped('task_run', 'flow_run_id')],
    ['task_run_state', statesOfTasks('task_run.flow_run_id')],
    ...(hasCache ? [['task_run_state_cache', (ids: string[]) => cacheRowsOfTasks(trx, 'task_run.flow_run_id', ids)] as [RunDeletionTable, Count]] : []),
    ...(ctx.schema.hasTable('flow_run_input') ? [['flow_run_input', grouped('flow_run_input', 'flow_run_id')] as [RunDeletionTable, Count]] : []),
    ['log', grouped('log', 'flow_run_id')],
    ['artifact', grouped('artifact', 'flow_run_id')],
  ];
  const byTaskRun: Array<[RunDeletionTable, Count]> = [
    ['task_run_state', grouped('task_run_state', 'task_run_id')],
    ...(hasCache ? [['task_run_state_cache', (ids: string[]) => cacheRowsOfTasks(trx, 'task_run.id', ids)] as [RunDeletionTable, Count]] : []),
    ['log', grouped('log', 'task_run_id')],
    ['artifact', grouped('artifact', 'task_run_id')],
  ];
  for (const table of RUN_DELETION_TABLES) result.set(table, {byFlowRun: new Map(), byTaskRun: new Map()});
  // One statement per chunk: every table's counts in a UNION ALL, one round trip and one plan.
  const run = async (counts: Array<[RunDeletionTable, Count]>, ids: readonly string[], side: 'byFlowRun' | 'byTaskRun') => {
    for (const part of chunks(ids)) {
      // Each member as a derived table: its GROUP BY stays its own, and SQLite takes no parenthesised members.
      const [first, ...rest] = counts.map(([table, count], i) => trx.select('*').from(count(part).select(trx.raw('? as tbl', [table])).count({n: '*'}).as(`c${i}`)));
      const rows: Array<{tbl: RunDeletionTable; key: string; n: number | string}> = await first.unionAll(rest, false);
      for (const row of rows) {
        const into = result.get(row.tbl)![side];
        const key = String(row.key).toLowerCase();
        into.set(key, (into.get(key) ?? 0) + Number(row.n));
      }
    }
  };
  await run(byFlowRun, flowRunIds, 'byFlowRun');
  await run(byTaskRun, taskRunIds, 'byTaskRun');
  return result;
}

function cacheRowsOfTasks(trx: Knex.Transaction, key: 'task_run.flow_run_id' | 'task_run.id', ids: string[]): Knex.QueryBuilder {
  return trx('task_run_state_cache')
    .join('task_run_state', 'task_run_state.id', 'task_run_state_cache.task_run_state_id')
    .join('task_run', 'task_run.id', 'task_run_state.task_run_id')
    .where((q) => whereIdIn(q, key, ids))
    .groupBy(key)
    .select({key});
}

/** Pending, Running and Cancelling runs hold a slot of their deployment's concurrency limit. */
const SLOT_HOLDING_STATES = ['PENDING', 'RUNNING', 'CANCELLING'];

/** Flow runs among `ids` that hold a deployment slot, with that deployment's limit id. */
export async function slotHoldingRuns(ctx: RepositoryContext, trx: Knex.Transaction, ids: readonly string[]): Promise<Array<{id: string; limitId: string}>> {
  if (!ctx.schema.hasColumn('deployment', 'concurrency_limit_id')) return [];
  const found: Array<{id: string; limitId: string}> = [];
  for (const part of chunks(ids)) {
    const rows: Array<{id: string; limit_id: string}> = await trx('flow_run')
      .join('deployment', 'deployment.id', 'flow_run.deployment_id')
      .where((q) => whereIdIn(q, 'flow_run.id', part))
      .whereIn('flow_run.state_type', SLOT_HOLDING_STATES)
      .whereNotNull('deployment.concurrency_limit_id')
      .select('flow_run.id', {limit_id: 'deployment.concurrency_limit_id'});
    found.push(...rows.map((r) => ({id: String(r.id).toLowerCase(), limitId: String(r.limit_id).toLowerCase()})));
  }
  return found;
}

/**
 * Gives back `slots` slots of an active concurrency limit, never below zero — Prefect's
 * bulk_decrement_active_slots, once per released run. Returns whether the limit changed.
 */
export async function releaseSlots(ctx: RepositoryContext, trx: Knex.Transaction, limitId: string, slots: number, now: string): Promise<boolean> {
  const changed = await trx('concurrency_limit_v2')
    .where('id', limitId)
    .where('active', ctx.db.codec.encodeBoolean(true))
    .update({
      active_slots: trx.raw('case when active_slots - ? < 0 then 0 else active_slots - ? end', [slots, slots]),
      updated: ctx.db.codec.encodeTimestamp(now),
    });
  return Number(changed) > 0;
}

/** The artifacts hanging from these flow runs / task runs: id, key, and the run (`owner`) they hang from. */
export async function artifactsUnder(trx: Knex.Transaction, column: 'flow_run_id' | 'task_run_id', ids: readonly string[]): Promise<Array<{id: string; key: string | null; owner: string}>> {
  const found: Array<{id: string; key: string | null; owner: string}> = [];
  for (const part of chunks(ids)) {
    const rows: Array<{id: string; key: string | null; owner: string}> = await trx('artifact').where((q) => whereIdIn(q, column, part)).select('id', 'key', {owner: column});
    found.push(...rows.map((r) => ({id: String(r.id).toLowerCase(), key: r.key, owner: String(r.owner).toLowerCase()})));
  }
  return found;
}

/** Deletes the rows of `table` whose `column` is one of `ids`; returns how many went. */
export async function deleteWhereIn(trx: Knex.Transaction, table: string, column: string, ids: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const part of chunks(ids)) deleted += Number(await trx(table).where((q) => whereIdIn(q, column, part)).delete());
  return deleted;
}

/**
 * Deletes the cache rows of every state of the task runs selected by `key` (their flow run, or
 * the task run itself). task_run_state_cache has no foreign key, so nothing else removes them.
 */
export async function deleteCacheRowsOfTasks(ctx: RepositoryContext, trx: Knex.Transaction, key: 'flow_run_id' | 'id', ids: readonly string[]): Promise<void> {
  if (!ctx.schema.hasTable('task_run_state_cache')) return;
  for (const part of chunks(ids)) {
    await trx('task_run_state_cache')
      .whereIn(
        'task_run_state_id',
        trx('task_run_state').join('task_run', 'task_run.id', 'task_run_state.task_run_id').where((q) => whereIdIn(q, `task_run.${key}`, part)).select('task_run_state.id'),
      )
      .delete();
  }
}

/**
 * Makes the subflows whose parent task run is about to go top-level runs, as Prefect's
 * ON DELETE SET NULL would, with `updated` bumped. Returns how many changed.
 */
export async function detachSubflows(ctx: RepositoryContext, trx: Knex.Transaction, key: 'flow_run_id' | 'id', ids: readonly string[], now: string): Promise<CountsByKey> {
  const byKey: CountsByKey = new Map();
  for (const part of chunks(ids)) {
    const rows: Array<{id: string; key: string}> = await trx('flow_run')
      .join('task_run', 'task_run.id', 'flow_run.parent_task_run_id')
      .where((q) => whereIdIn(q, `task_run.${key}`, part))
      .select('flow_run.id', {key: `task_run.${key}`});
    for (const row of rows) byKey.set(String(row.key).toLowerCase(), (byKey.get(String(row.key).toLowerCase()) ?? 0) + 1);
    for (const subflows of chunks(rows.map((r) => String(r.id)))) {
      await trx('flow_run').where((q) => whereIdIn(q, 'id', subflows)).update({parent_task_run_id: null, updated: ctx.db.codec.encodeTimestamp(now)});
    }
  }
  return byKey;
}

export type ArchiveSink = (table: string, rows: Array<Record<string, unknown>>) => void | Promise<void>;

/**
 * Every row a delete of these flow runs and task runs removes, table by table, as stored:
 * what `db clean --archive` writes before deleting. Same selections as countRowsUnder.
 */
export async function archiveRowsUnder(ctx: RepositoryContext, trx: Knex.Transaction, flowRunIds: readonly string[], taskRunIds: readonly string[], sink: ArchiveSink): Promise<void> {
  const each = async (table: string, ids: readonly string[], select: (part: string[]) => Knex.QueryBuilder) => {
    if (!ctx.schema.hasTable(table)) return;
    for (const part of chunks(ids)) {
      const rows = await select(part);
      if (rows.length > 0) await sink(table, rows);
    }
  };
  const tasksOf = (part: string[]) => trx('task_run').where((q) => whereIdIn(q, 'flow_run_id', part)).select('id');
  const statesOf = (tasks: Knex.QueryBuilder | string[]) => trx('task_run_state').whereIn('task_run_id', tasks).select('id');
  await each('flow_run', flowRunIds, (part) => trx('flow_run').where((q) => whereIdIn(q, 'id', part)).select('*'));
  await each('flow_run_state', flowRunIds, (part) => trx('flow_run_state').where((q) => whereIdIn(q, 'flow_run_id', part)).select('*'));
  await each('flow_run_input', flowRunIds, (part) => trx('flow_run_input').where((q) => whereIdIn(q, 'flow_run_id', part)).select('*'));
  await each('task_run', flowRunIds, (part) => trx('task_run').where((q) => whereIdIn(q, 'flow_run_id', part)).select('*'));
  await each('task_run', taskRunIds, (part) => trx('task_run').where((q) => whereIdIn(q, 'id', part)).select('*'));
  await each('task_run_state', flowRunIds, (part) => trx('task_run_state').whereIn('task_run_id', tasksOf(part)).select('*'));
  await each('task_run_state', taskRunIds, (part) => trx('task_run_state').where((q) => whereIdIn(q, 'task_run_id', part)).select('*'));
  await each('task_run_state_cache', flowRunIds, (part) => trx('task_run_state_cache').whereIn('task_run_state_id', statesOf(tasksOf(part))).select('*'));
  await each('task_run_state_cache', taskRunIds, (part) => trx('task_run_state_cache').whereIn('task_run_state_id', statesOf(part)).select('*'));
  await each('log', flowRunIds, (part) => trx('log').where((q) => whereIdIn(q, 'flow_run_id', part)).select('*'));
  await each('log', taskRunIds, (part) => trx('log').where((q) => whereIdIn(q, 'task_run_id', part)).select('*'));
  await each('artifact', flowRunIds, (part) => trx('artifact').where((q) => whereIdIn(q, 'flow_run_id', part)).select('*'));
  await each('artifact', taskRunIds, (part) => trx('artifact').where((q) => whereIdIn(q, 'task_run_id', part)).select('*'));
}
