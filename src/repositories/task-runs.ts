import type {Knex} from 'knex';

import type {SortChoice} from '../cli/list-flags.js';
import {type Db, decodeRow, existingColumns, limitedList, type RepositoryContext, resolveId, valuesDecoder, type Row, type LimitedRows} from './common.js';
import {STREAM_BATCH, streamRows} from '../db/row-stream.js';
import {orderRuns, RUN_SORT_FIELDS, type RunSortField} from './flow-runs.js';
import {sortIndexServesFilter} from './run-index-choice.js';
import {
  estimatedRunTime,
  estimatedStartTimeDelta,
  joinCurrentState,
  joinedState,
  nowInMicros,
  readStates,
  runTiming,
  STATE_TYPES,
  type StateFilter,
  type StateRecord,
  storedStateNames,
  whereStateMatches,
} from './run-states.js';

/** A task run as Prefect's REST API names its fields, in that order; `estimated_*` computed as Prefect does. */
export interface TaskRunRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  flow_run_id: string | null;
  task_key: string;
  dynamic_key: string;
  cache_key: string | null;
  cache_expiration: string | null;
  task_version: string | null;
  empirical_policy: Record<string, unknown>;
  tags: string[];
  labels: Record<string, unknown> | null;
  state_id: string | null;
  task_inputs: Record<string, unknown>;
  state_type: string | null;
  state_name: string | null;
  run_count: number;
  flow_run_run_count: number;
  expected_start_time: string | null;
  next_scheduled_start_time: string | null;
  start_time: string | null;
  end_time: string | null;
  total_run_time: number;
  estimated_run_time: number;
  estimated_start_time_delta: number;
  state: StateRecord | null;
}

const TASK_RUN_COLUMNS = [
  'id', 'created', 'updated', 'name', 'flow_run_id', 'task_key', 'dynamic_key', 'cache_key', 'cache_expiration',
  'task_version', 'empirical_policy', 'tags', 'labels', 'state_id', 'task_inputs', 'state_type', 'state_name',
  'state_timestamp', 'run_count', 'flow_run_run_count', 'expected_start_time', 'next_scheduled_start_time',
  'start_time', 'end_time', 'total_run_time',
] as const;

export interface TaskRunFilter {
  /** Flow run id or unique prefix. */
  flowRun?: string;
  states?: StateFilter;
  /** Runs carrying every one of these tags. */
  tags?: readonly string[];
  /** ISO instants; "since" bounds are inclusive, "before" bounds exclusive. */
  startedSince?: string;
  startedBefore?: string;
  endedSince?: string;
  endedBefore?: string;
}

export interface TaskRunListOptions {
  filter: TaskRunFilter;
  sort: SortChoice<RunSortField>;
  limit?: number;
}

export async function listTaskRuns(
  ctx: RepositoryContext,
  options: TaskRunListOptions,
): Promise<LimitedRows<TaskRunRecord>> {
  const {sort} = options;
  const filter = await withStoredStateNames(ctx, options.filter);
  const flowRunId = filter.flowRun ? await resolveId(ctx, 'flow_run', filter.flowRun, 'flow run') : undefined;
  const {column: sortColumn, indexed} = RUN_SORT_FIELDS[sort.field];
  // A time window on the sort column bounds the walk along its index (see listFlowRuns).
  const windowOnSort = (Object.keys(filter) as Array<keyof TaskRunFilter>).some((key) => TASK_FILTER_COLUMNS[key] === sortColumn && filter[key] !== undefined);
  const matching = () => applyTaskRunFilter(ctx, ctx.db.knex('task_run'), filter, flowRunId, windowOnSort ? sortColumn : undefined);
  const walkSortIndex =
    windowOnSort ||
    (await sortIndexServesFilter(
      ctx,
      'task_run',
      {limit: options.limit, sortColumnIndexed: indexed, filterIndexed: taskFilterUsesAnIndex(filter, sortColumn)},
      matching,
    ));
  const query = sortedTaskRuns(ctx, filter, flowRunId, sort, walkSortIndex);
  // Counting for the "20 of N" notice needs no order, so the filter's indexes serve it best.
  return limitedList(query, options.limit, (qb) => toTaskRuns(ctx, qb), walkSortIndex ? matching() : query);
}

function sortedTaskRuns(ctx: RepositoryContext, filter: TaskRunFilter, flowRunId: string | undefined, sort: SortChoice<RunSortField>, walkSortIndex: boolean) {
  const query = ctx.db.knex('task_run').select(existingColumns(ctx, 'task_run', TASK_RUN_COLUMNS).map((column) => `task_run.${column}`));
  applyTaskRunFilter(ctx, query, filter, flowRunId, walkSortIndex ? RUN_SORT_FIELDS[sort.field].column : undefined);
  return orderRuns(ctx, query, 'task_run', sort);
}

/** Every task run the filter selects, in the sort's order, a batch at a time (see streamFlowRuns). */
export async function streamTaskRuns(
  ctx: RepositoryContext,
  options: {filter: TaskRunFilter; sort: SortChoice<RunSortField>},
  onBatch: (rows: TaskRunRecord[]) => Promise<void>,
): Promise<void> {
  const {sort} = options;
  const filter = await withStoredStateNames(ctx, options.filter);
  const flowRunId = filter.flowRun ? await resolveId(ctx, 'flow_run', filter.flowRun, 'flow run') : undefined;
  const {column: sortColumn, indexed} = RUN_SORT_FIELDS[sort.field];
  const walkSortIndex = await sortIndexServesFilter(
    ctx,
    'task_run',
    {limit: undefined, sortColumnIndexed: indexed, filterIndexed: taskFilterUsesAnIndex(filter, sortColumn)},
    () => applyTaskRunFilter(ctx, ctx.db.knex('task_run'), filter, flowRunId),
  );
  const query = sortedTaskRuns(ctx, filter, flowRunId, sort, walkSortIndex);
  const decode = valuesDecoder(ctx, [
    ...existingColumns(ctx, 'task_run', TASK_RUN_COLUMNS).map((column) => ({table: 'task_run', column})),
    ...joinCurrentState(query, 'task_run'),
  ]);
  await streamRows(ctx.db, query, STREAM_BATCH, async (batch) => {
    const now = nowInMicros();
    return onBatch(batch.map((values) => {
      const row = decode(values);
      return toTaskRun(row, joinedState(row), now);
    }));
  });
}

async function withStoredStateNames(ctx: RepositoryContext, filter: TaskRunFilter): Promise<TaskRunFilter> {
  return filter.states ? {...filter, states: await storedStateNames(ctx, 'task_run', filter.states)} : filter;
}

/** The task run column each indexed filter condition reads (tags have no index). */
const TASK_FILTER_COLUMNS: Partial<Record<keyof TaskRunFilter, string>> = {
  flowRun: 'flow_run_id',
  states: 'state_type',
  startedSince: 'start_time',
  startedBefore: 'start_time',
  endedSince: 'end_time',
  endedBefore: 'end_time',
};

function taskFilterUsesAnIndex(filter: TaskRunFilter, sortColumn: string): boolean {
  return (Object.keys(filter) as Array<keyof TaskRunFilter>).some((key) => {
    const column = TASK_FILTER_COLUMNS[key];
    return column !== undefined && column !== sortColumn && filter[key] !== undefined;
  });
}

/** The filter's conditions; with `onlySortIndex`, written so only that column's index can serve (see flow-runs.ts). */
function applyTaskRunFilter(
  ctx: RepositoryContext,
  qb: Knex.QueryBuilder,
  filter: TaskRunFilter,
  flowRunId: string | undefined,
  onlySortIndex?: string,
): Knex.QueryBuilder {
  const encode = (iso: string) => ctx.db.codec.encodeTimestamp(iso);
  const column = (name: string) =>
    (onlySortIndex === undefined || name === onlySortIndex ? `task_run.${name}` : ctx.sql.withoutIndex(`task_run.${name}`)) as string;
  if (flowRunId) qb.where(column('flow_run_id'), flowRunId);
  if (filter.states) whereStateMatches(ctx, qb, 'task_run', filter.states, {useStateIndexes: onlySortIndex === undefined});
  for (const tag of filter.tags ?? []) ctx.sql.jsonArrayContains(qb, 'task_run.tags', tag);
  if (filter.startedSince) qb.where(column('start_time'), '>=', encode(filter.startedSince));
  if (filter.startedBefore) qb.where(column('start_time'), '<', encode(filter.startedBefore));
  if (filter.endedSince) qb.where(column('end_time'), '>=', encode(filter.endedSince));
  if (filter.endedBefore) qb.where(column('end_time'), '<', encode(filter.endedBefore));
  return qb;
}

/** The ids of the task runs a filter selects, a page at a time in id order (see flowRunIdPages). */
export async function taskRunIdPages(
  ctx: RepositoryContext,
  selection: TaskRunFilter,
): Promise<{page: (db: Db, after: string | undefined, size: number) => Promise<string[]>; count: () => Promise<number>}> {
  const filter = await withStoredStateNames(ctx, selection);
  const flowRunId = filter.flowRun ? await resolveId(ctx, 'flow_run', filter.flowRun, 'flow run') : undefined;
  return {
    page: async (db, after, size) => {
      const query = applyTaskRunFilter(ctx, db('task_run').select('task_run.id'), filter, flowRunId);
      if (after !== undefined) query.where('task_run.id', '>', after);
      const rows: Row[] = await query.orderBy('task_run.id').limit(size);
      return rows.map((row) => ctx.db.codec.decodeUuid(row.id) as string);
    },
    count: async () => {
      const [row] = await applyTaskRunFilter(ctx, ctx.db.knex('task_run'), filter, flowRunId).count({count: '*'});
      return Number(row.count);
    },
  };
}

/** One task run by full id or unique id prefix (exit 3 if none, 2 if ambiguous). */
export async function readTaskRun(ctx: RepositoryContext, idOrPrefix: string): Promise<TaskRunRecord> {
  const id = await resolveId(ctx, 'task_run', idOrPrefix, 'task run');
  const [run] = await toTaskRuns(ctx, ctx.db.knex('task_run').select(existingColumns(ctx, 'task_run', TASK_RUN_COLUMNS)).where('id', id));
  return run;
}

/** A flow run's task runs counted by state type, in lifecycle order; runs without a state count as NONE. */
export async function countTaskRunsByStateType(ctx: RepositoryContext, flowRunId: string): Promise<Record<string, number>> {
  const rows = (await ctx.db
    .knex('task_run')
    .select('state_type')
    .count({count: '*'})
    .where('flow_run_id', flowRunId)
    .groupBy('state_type')) as Array<{state_type: string | null; count: number | string}>;
  const order: string[] = [...STATE_TYPES, 'NONE'];
  return Object.fromEntries(
    rows.map((r) => [r.state_type ?? 'NONE', Number(r.count)] as const).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)),
  );
}

async function toTaskRuns(ctx: RepositoryContext, query: Knex.QueryBuilder): Promise<TaskRunRecord[]> {
  return rowsToTaskRuns(ctx, (await query) as Row[]);
}

async function rowsToTaskRuns(ctx: RepositoryContext, raw: Row[]): Promise<TaskRunRecord[]> {
  const rows = raw.map((one) => decodeRow(ctx, 'task_run', one));
  const states = await readStates(ctx, 'task_run', rows.flatMap((row) => (row.state_id ? [row.state_id as string] : [])));
  const now = nowInMicros();
  return rows.map((row) => toTaskRun(row, states.get(row.state_id as string) ?? null, now));
}

function toTaskRun(row: Row, state: StateRecord | null, now: number): TaskRunRecord {
  const orNull = <T>(column: string) => (row[column] ?? null) as T | null;
  const timing = runTiming(row);
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    name: row.name as string,
    flow_run_id: orNull('flow_run_id'),
    task_key: row.task_key as string,
    dynamic_key: row.dynamic_key as string,
    cache_key: orNull('cache_key'),
    cache_expiration: orNull('cache_expiration'),
    task_version: orNull('task_version'),
    empirical_policy: (row.empirical_policy as Record<string, unknown> | null) ?? {},
    tags: (row.tags as string[] | null) ?? [],
    labels: orNull('labels'),
    state_id: orNull('state_id'),
    task_inputs: (row.task_inputs as Record<string, unknown> | null) ?? {},
    state_type: timing.state_type,
    state_name: orNull('state_name'),
    run_count: (row.run_count as number | null) ?? 0,
    flow_run_run_count: (row.flow_run_run_count as number | null) ?? 0,
    expected_start_time: timing.expected_start_time,
    next_scheduled_start_time: orNull('next_scheduled_start_time'),
    start_time: timing.start_time,
    end_time: orNull('end_time'),
    total_run_time: timing.total_run_time,
    estimated_run_time: estimatedRunTime(timing, now),
    estimated_start_time_delta: estimatedStartTimeDelta(timing, now),
    state,
  };
}
