import type {Knex} from 'knex';

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

const marks = (ids: readonly string[]) => ids.map(() => '?').join(', ');

/**
 * The flow runs a delete of `roots` removes, each with the root it belongs to. Flow-run roots
 * own themselves; task-run roots own the subflows they are the parent task run of. With
 * `recursive`, subflows of those runs follow, at any depth; a requested root is never taken
 * into another root's tree, so every run is counted once, under its own request.
 */
export async function flowRunsReached(trx: Knex.Transaction, kind: 'flow_run' | 'task_run', roots: readonly string[], recursive: boolean): Promise<OwnedRun[]> {
  if (roots.length === 0) return [];
  if (kind === 'task_run' && !recursive) return [];
  const seed =
    kind === 'flow_run'
      ? `select id as root, id from flow_run where id in (${marks(roots)})`
      : `select parent_task_run_id as root, id from flow_run where parent_task_run_id in (${marks(roots)})`;
  if (!recursive) return rowsOf(await trx.raw(seed, [...roots]));
  const sql = `with recursive tree(root, id) as (
      ${seed}
      union all
      select tree.root, child.id from tree
        join task_run parent_task on parent_task.flow_run_id = tree.id
        join flow_run child on child.parent_task_run_id = parent_task.id
      where child.id not in (${marks(roots)})
    ) select root, id from tree`;
  return rowsOf(await trx.raw(sql, [...roots, ...roots]));
}

/** The task runs among `ids` that exist. */
export async function existingTaskRuns(trx: Knex.Transaction, ids: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const part of chunks(ids)) {
    const rows: Array<{id: string}> = await trx('task_run').whereIn('id', part).select('id');
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
  const add = async (table: RunDeletionTable, byFlowRun: (ids: string[]) => Knex.QueryBuilder | undefined, byTaskRun: (ids: string[]) => Knex.QueryBuilder | undefined) => {
    const entry = {byFlowRun: new Map<string, number>(), byTaskRun: new Map<string, number>()};
    result.set(table, entry);
    for (const part of chunks(flowRunIds)) await collect(byFlowRun(part), entry.byFlowRun);
    for (const part of chunks(taskRunIds)) await collect(byTaskRun(part), entry.byTaskRun);
  };
  const grouped = (table: string, key: string, ids: string[]) => trx(table).whereIn(key, ids).groupBy(key).select({key}).count({n: '*'});
  const statesOfTasks = (key: 'task_run.flow_run_id' | 'task_run.id', ids: string[]) =>
    trx('task_run_state').join('task_run', 'task_run.id', 'task_run_state.task_run_id').whereIn(key, ids).groupBy(key).select({key}).count({n: '*'});

  await add('flow_run_state', (ids) => grouped('flow_run_state', 'flow_run_id', ids), () => undefined);
  await add('task_run', (ids) => grouped('task_run', 'flow_run_id', ids), () => undefined);
  await add('task_run_state', (ids) => statesOfTasks('task_run.flow_run_id', ids), (ids) => grouped('task_run_state', 'task_run_id', ids));
  const hasCache = ctx.schema.hasTable('task_run_state_cache');
  await add(
    'task_run_state_cache',
    (ids) => (hasCache ? cacheRowsOfTasks(trx, 'task_run.flow_run_id', ids) : undefined),
    (ids) => (hasCache ? cacheRowsOfTasks(trx, 'task_run.id', ids) : undefined),
  );
  await add('flow_run_input', (ids) => (ctx.schema.hasTable('flow_run_input') ? grouped('flow_run_input', 'flow_run_id', ids) : undefined), () => undefined);
  await add('log', (ids) => grouped('log', 'flow_run_id', ids), (ids) => grouped('log', 'task_run_id', ids));
  await add('artifact', (ids) => grouped('artifact', 'flow_run_id', ids), (ids) => grouped('artifact', 'task_run_id', ids));
  return result;
}

function cacheRowsOfTasks(trx: Knex.Transaction, key: 'task_run.flow_run_id' | 'task_run.id', ids: string[]): Knex.QueryBuilder {
  return trx('task_run_state_cache')
    .join('task_run_state', 'task_run_state.id', 'task_run_state_cache.task_run_state_id')
    .join('task_run', 'task_run.id', 'task_run_state.task_run_id')
    .whereIn(key, ids)
    .groupBy(key)
    .select({key})
    .count({n: '*'});
}

async function collect(query: Knex.QueryBuilder | undefined, into: CountsByKey): Promise<void> {
  if (!query) return;
  const rows: Array<{key: string; n: number | string}> = await query;
  for (const row of rows) into.set(String(row.key).toLowerCase(), (into.get(String(row.key).toLowerCase()) ?? 0) + Number(row.n));
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
      .whereIn('flow_run.id', part)
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
    const rows: Array<{id: string; key: string | null; owner: string}> = await trx('artifact').whereIn(column, part).select('id', 'key', {owner: column});
    found.push(...rows.map((r) => ({id: String(r.id).toLowerCase(), key: r.key, owner: String(r.owner).toLowerCase()})));
  }
  return found;
}

/** Deletes the rows of `table` whose `column` is one of `ids`; returns how many went. */
export async function deleteWhereIn(trx: Knex.Transaction, table: string, column: string, ids: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const part of chunks(ids)) deleted += Number(await trx(table).whereIn(column, part).delete());
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
        trx('task_run_state').join('task_run', 'task_run.id', 'task_run_state.task_run_id').whereIn(`task_run.${key}`, part).select('task_run_state.id'),
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
      .whereIn(`task_run.${key}`, part)
      .select('flow_run.id', {key: `task_run.${key}`});
    for (const row of rows) byKey.set(String(row.key).toLowerCase(), (byKey.get(String(row.key).toLowerCase()) ?? 0) + 1);
    for (const subflows of chunks(rows.map((r) => String(r.id)))) {
      await trx('flow_run').whereIn('id', subflows).update({parent_task_run_id: null, updated: ctx.db.codec.encodeTimestamp(now)});
    }
  }
  return byKey;
}

function rowsOf(result: unknown): OwnedRun[] {
  const rows = (Array.isArray(result) ? result : (result as {rows: unknown[]}).rows) as Array<{root: string; id: string}>;
  return rows.map((r) => ({root: String(r.root).toLowerCase(), id: String(r.id).toLowerCase()}));
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
  const tasksOf = (part: string[]) => trx('task_run').whereIn('flow_run_id', part).select('id');
  const statesOf = (tasks: Knex.QueryBuilder | string[]) => trx('task_run_state').whereIn('task_run_id', tasks).select('id');
  await each('flow_run', flowRunIds, (part) => trx('flow_run').whereIn('id', part).select('*'));
  await each('flow_run_state', flowRunIds, (part) => trx('flow_run_state').whereIn('flow_run_id', part).select('*'));
  await each('flow_run_input', flowRunIds, (part) => trx('flow_run_input').whereIn('flow_run_id', part).select('*'));
  await each('task_run', flowRunIds, (part) => trx('task_run').whereIn('flow_run_id', part).select('*'));
  await each('task_run', taskRunIds, (part) => trx('task_run').whereIn('id', part).select('*'));
  await each('task_run_state', flowRunIds, (part) => trx('task_run_state').whereIn('task_run_id', tasksOf(part)).select('*'));
  await each('task_run_state', taskRunIds, (part) => trx('task_run_state').whereIn('task_run_id', part).select('*'));
  await each('task_run_state_cache', flowRunIds, (part) => trx('task_run_state_cache').whereIn('task_run_state_id', statesOf(tasksOf(part))).select('*'));
  await each('task_run_state_cache', taskRunIds, (part) => trx('task_run_state_cache').whereIn('task_run_state_id', statesOf(part)).select('*'));
  await each('log', flowRunIds, (part) => trx('log').whereIn('flow_run_id', part).select('*'));
  await each('log', taskRunIds, (part) => trx('log').whereIn('task_run_id', part).select('*'));
  await each('artifact', flowRunIds, (part) => trx('artifact').whereIn('flow_run_id', part).select('*'));
  await each('artifact', taskRunIds, (part) => trx('artifact').whereIn('task_run_id', part).select('*'));
}
