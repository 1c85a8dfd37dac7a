import type {Knex} from 'knex';

import type {SortChoice} from '../cli/list-flags.js';
import {STREAM_BATCH, streamRows} from '../db/row-stream.js';
import {notFoundError} from '../errors.js';
import {type Db, decodeRow, existingColumns, isUuid, limitedList, type RepositoryContext, resolveId, valuesDecoder, type Row, type LimitedRows} from './common.js';
import {sortIndexServesFilter} from './run-index-choice.js';
import {
  estimatedRunTime,
  estimatedStartTimeDelta,
  joinCurrentState,
  joinedState,
  LOOKUP_CHUNK,
  nowInMicros,
  readStates,
  runTiming,
  type RunKind,
  type StateFilter,
  type StateRecord,
  storedStateNames,
  whereStateMatches,
} from './run-states.js';

/**
 * A flow run as Prefect's REST API names its fields, in that order. `flow_name` is ours
 * (the API has no such field); `estimated_*` are computed as Prefect computes them.
 */
export interface FlowRunRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  flow_id: string;
  flow_name: string | null;
  deployment_id: string | null;
  deployment_version: string | null;
  work_queue_id: string | null;
  work_queue_name: string | null;
  flow_version: string | null;
  parameters: Record<string, unknown>;
  idempotency_key: string | null;
  context: Record<string, unknown>;
  empirical_policy: Record<string, unknown>;
  tags: string[];
  labels: Record<string, unknown> | null;
  parent_task_run_id: string | null;
  state_type: string | null;
  state_name: string | null;
  run_count: number;
  expected_start_time: string | null;
  next_scheduled_start_time: string | null;
  start_time: string | null;
  end_time: string | null;
  total_run_time: number;
  estimated_run_time: number;
  estimated_start_time_delta: number;
  auto_scheduled: boolean;
  infrastructure_document_id: string | null;
  infrastructure_pid: string | null;
  created_by: Record<string, unknown> | null;
  job_variables: Record<string, unknown> | null;
  state: StateRecord | null;
}

// Stored columns read for a record; later-revision ones are skipped where absent (read as null).
const FLOW_RUN_COLUMNS = [
  'id', 'created', 'updated', 'name', 'flow_id', 'deployment_id', 'deployment_version', 'work_queue_id',
  'work_queue_name', 'flow_version', 'parameters', 'idempotency_key', 'context', 'empirical_policy', 'tags',
  'labels', 'parent_task_run_id', 'state_id', 'state_type', 'state_name', 'state_timestamp', 'run_count',
  'expected_start_time', 'next_scheduled_start_time', 'start_time', 'end_time', 'total_run_time',
  'auto_scheduled', 'infrastructure_document_id', 'infrastructure_pid', 'created_by', 'job_variables',
] as const;

/** Sort keys of `--sort` for flow runs and task runs, with the column each one orders by. */
/** `indexed`: Prefect has an index on the column in both run tables, so it can serve the sort. */
export const RUN_SORT_FIELDS = {
  'expected-start': {column: 'expected_start_time', defaultDirection: 'desc', indexed: true},
  start: {column: 'start_time', defaultDirection: 'desc', indexed: true},
  end: {column: 'end_time', defaultDirection: 'desc', indexed: true},
  created: {column: 'created', defaultDirection: 'desc', indexed: false},
  name: {column: 'name', defaultDirection: 'asc', indexed: true},
} as const;

export type RunSortField = keyof typeof RUN_SORT_FIELDS;

/**
 * Orders runs by the chosen column, then by id in the same direction so equal values list
 * the same way every time and on both dialects.
 */
export function orderRuns(ctx: RepositoryContext, qb: Knex.QueryBuilder, table: RunKind, sort: SortChoice<RunSortField>): Knex.QueryBuilder {
  ctx.sql.orderByNullsLargest(qb, `${table}.${RUN_SORT_FIELDS[sort.field].column}`, sort.direction);
  return qb.orderBy(`${table}.id`, sort.direction);
}

export interface FlowRunFilter {
  flowNames?: readonly string[];
  /** `flow/deployment` name, deployment id, or unique id prefix. */
  deployment?: string;
  states?: StateFilter;
  /** Runs carrying every one of these tags. */
  tags?: readonly string[];
  workPool?: string;
  workQueue?: string;
  /** Flow run id or prefix: list its subflow runs. */
  parent?: string;
  /** ISO instants; bounds are inclusive. */
  expectedSince?: string;
  expectedUntil?: string;
  startedSince?: string;
  startedBefore?: string;
  endedSince?: string;
  endedBefore?: string;
  /** Next scheduled start at or before this instant (the late-runs service's selection). */
  nextScheduledBefore?: string;
}

export interface FlowRunListOptions {
  filter: FlowRunFilter;
  sort: SortChoice<RunSortField>;
  limit?: number;
}

export async function listFlowRuns(
  ctx: RepositoryContext,
  options: FlowRunListOptions,
): Promise<LimitedRows<FlowRunRecord>> {
  const {filter, sort} = options;
  const refs = await resolveFilterRefs(ctx, filter);
  const {column: sortColumn, indexed} = RUN_SORT_FIELDS[sort.field];
  // A time window on the sort column bounds the walk along its index by the window, not by
  // the table: recent windows stay as cheap as the database grows into the past.
  const windowOnSort = filterWindowsColumn(filter, sortColumn);
  const matching = () => applyFilter(ctx, ctx.db.knex('flow_run'), filter, refs, windowOnSort ? sortColumn : undefined);
  const walkSortIndex =
    windowOnSort ||
    (await sortIndexServesFilter(
      ctx,
      'flow_run',
      {limit: options.limit, sortColumnIndexed: indexed, filterIndexed: filterUsesAnIndex(filter, sortColumn)},
      matching,
    ));
  const query = sortedFlowRuns(ctx, filter, refs, sort, walkSortIndex);
  // Counting for the "20 of N" notice needs no order, so the filter's indexes serve it best.
  return limitedList(query, options.limit, (qb) => toFlowRuns(ctx, qb), walkSortIndex ? matching() : query);
}

/** Whether the filter bounds `column` itself (a time window on the sort column). */
function filterWindowsColumn(filter: FlowRunFilter, column: string): boolean {
  return (Object.keys(filter) as Array<keyof FlowRunFilter>).some((key) => FILTER_COLUMNS[key] === column && filter[key] !== undefined);
}

function sortedFlowRuns(ctx: RepositoryContext, filter: FlowRunFilter, refs: FilterRefs, sort: SortChoice<RunSortField>, walkSortIndex: boolean) {
  const query = ctx.db.knex('flow_run').select(existingColumns(ctx, 'flow_run', FLOW_RUN_COLUMNS).map((column) => `flow_run.${column}`));
  applyFilter(ctx, query, filter, refs, walkSortIndex ? RUN_SORT_FIELDS[sort.field].column : undefined);
  return orderRuns(ctx, query, 'flow_run', sort);
}

/**
 * Every run the filter selects, in the sort's order, handed over a batch at a time as they
 * are read (`--all`): memory stays bounded whatever the number of runs. A sort without an
 * index (created), or a selective filter, makes the database sort the matches first.
 */
export async function streamFlowRuns(
  ctx: RepositoryContext,
  options: {filter: FlowRunFilter; sort: SortChoice<RunSortField>},
  onBatch: (rows: FlowRunRecord[]) => Promise<void>,
): Promise<void> {
  const {filter, sort} = options;
  const refs = await resolveFilterRefs(ctx, filter);
  const {column: sortColumn, indexed} = RUN_SORT_FIELDS[sort.field];
  const walkSortIndex = await sortIndexServesFilter(
    ctx,
    'flow_run',
    {limit: undefined, sortColumnIndexed: indexed, filterIndexed: filterUsesAnIndex(filter, sortColumn)},
    () => applyFilter(ctx, ctx.db.knex('flow_run'), filter, refs),
  );
  const query = sortedFlowRuns(ctx, filter, refs, sort, walkSortIndex);
  // The flow's name and the current state come in the same statement, not by lookups per batch.
  query.leftJoin('flow', 'flow.id', 'flow_run.flow_id').select('flow.name as flow_name');
  const decode = valuesDecoder(ctx, [
    ...existingColumns(ctx, 'flow_run', FLOW_RUN_COLUMNS).map((column) => ({table: 'flow_run', column})),
    {table: 'flow', column: 'name', as: 'flow_name'},
    ...joinCurrentState(query, 'flow_run'),
  ]);
  await streamRows(ctx.db, query, STREAM_BATCH, async (batch) => {
    const now = nowInMicros();
    return onBatch(batch.map((values) => {
      const row = decode(values);
      return toFlowRun(row, (row.flow_name as string | null) ?? null, joinedState(row), now);
    }));
  });
}

/** The run column each indexed filter condition reads (tags have no index in Prefect's schema). */
const FILTER_COLUMNS: Partial<Record<keyof FlowRunFilter, string>> = {
  flowNames: 'flow_id',
  deployment: 'deployment_id',
  states: 'state_type',
  workPool: 'work_queue_id',
  workQueue: 'work_queue_id',
  parent: 'parent_task_run_id',
  expectedSince: 'expected_start_time',
  expectedUntil: 'expected_start_time',
  startedSince: 'start_time',
  startedBefore: 'start_time',
  endedSince: 'end_time',
  endedBefore: 'end_time',
  nextScheduledBefore: 'next_scheduled_start_time',
};

/** Whether some condition of the filter could be read through an index other than the sort column's. */
function filterUsesAnIndex(filter: FlowRunFilter, sortColumn: string): boolean {
  return (Object.keys(filter) as Array<keyof FlowRunFilter>).some((key) => {
    const column = FILTER_COLUMNS[key];
    return column !== undefined && column !== sortColumn && filter[key] !== undefined;
  });
}

/**
 * The ids of the runs a filter selects, a page at a time in id order after `after`: how
 * bulk changes walk their selection (services/batches.ts keysetSource). References in the
 * filter (deployment, parent) are resolved once, here.
 */
export async function flowRunIdPages(
  ctx: RepositoryContext,
  filter: FlowRunFilter,
): Promise<{page: (db: Db, after: string | undefined, size: number) => Promise<string[]>; count: () => Promise<number>}> {
  const refs = await resolveFilterRefs(ctx, filter);
  return {
    page: async (db, after, size) => {
      const query = applyFilter(ctx, db('flow_run').select('flow_run.id'), filter, refs);
      if (after !== undefined) query.where('flow_run.id', '>', after);
      const rows: Row[] = await query.orderBy('flow_run.id').limit(size);
      return rows.map((row) => ctx.db.codec.decodeUuid(row.id) as string);
    },
    count: async () => {
      const [row] = await applyFilter(ctx, ctx.db.knex('flow_run'), filter, refs).count({count: '*'});
      return Number(row.count);
    },
  };
}

/** The ids a filter names by reference, looked up once (exit 3 / 2 when missing or ambiguous). */
interface FilterRefs {
  deploymentId?: string;
  parentId?: string;
  /** The state filter with its names spelled as stored. */
  states?: StateFilter;
  /** Ids of the queues --work-pool / --work-queue name: a literal list lets PostgreSQL OR two index scans. */
  queueIds?: string[];
}

async function resolveFilterRefs(ctx: RepositoryContext, filter: FlowRunFilter): Promise<FilterRefs> {
  return {
    deploymentId: filter.deployment ? await deploymentIdOf(ctx, filter.deployment) : undefined,
    parentId: filter.parent ? await resolveId(ctx, 'flow_run', filter.parent, 'flow run') : undefined,
    states: filter.states ? await storedStateNames(ctx, 'flow_run', filter.states) : undefined,
    queueIds: filter.workPool || filter.workQueue ? await queueIdsOf(ctx, filter.workPool, filter.workQueue) : undefined,
  };
}

/**
 * Adds the filter's conditions to `query`: each a plain comparison or an `in (subquery)` on an
 * indexed column. With `onlySortIndex`, every condition but those on that column is written
 * so no index can serve it, leaving SQLite the sort column's index to walk.
 */
function applyFilter(
  ctx: RepositoryContext,
  query: Knex.QueryBuilder,
  filter: FlowRunFilter,
  refs: FilterRefs,
  onlySortIndex?: string,
): Knex.QueryBuilder {
  const {knex} = ctx.db;
  const encode = (iso: string) => ctx.db.codec.encodeTimestamp(iso);
  // Knex accepts a raw expression where a column goes; its typings only admit strings.
  const column = (name: string) =>
    (onlySortIndex === undefined || name === onlySortIndex ? `flow_run.${name}` : ctx.sql.withoutIndex(`flow_run.${name}`)) as string;
  if (filter.flowNames?.length) {
    query.whereIn(column('flow_id'), knex('flow').select('id').whereIn('name', [...filter.flowNames]));
  }
  if (refs.deploymentId) query.where(column('deployment_id'), refs.deploymentId);
  if (refs.states) whereStateMatches(ctx, query, 'flow_run', refs.states, {useStateIndexes: onlySortIndex === undefined});
  for (const tag of filter.tags ?? []) ctx.sql.jsonArrayContains(query, 'flow_run.tags', tag);
  if (refs.queueIds) whereWorkQueue(query, column, refs.queueIds, filter.workPool, filter.workQueue);
  if (refs.parentId) {
    query.whereIn(column('parent_task_run_id'), knex('task_run').select('id').where('flow_run_id', refs.parentId));
  }
  if (filter.expectedSince) query.where(column('expected_start_time'), '>=', encode(filter.expectedSince));
  if (filter.expectedUntil) query.where(column('expected_start_time'), '<=', encode(filter.expectedUntil));
  if (filter.startedSince) query.where(column('start_time'), '>=', encode(filter.startedSince));
  if (filter.startedBefore) query.where(column('start_time'), '<', encode(filter.startedBefore));
  if (filter.endedSince) query.where(column('end_time'), '>=', encode(filter.endedSince));
  if (filter.endedBefore) query.where(column('end_time'), '<', encode(filter.endedBefore));
  if (filter.nextScheduledBefore) query.where(column('next_scheduled_start_time'), '<=', encode(filter.nextScheduledBefore));
  return query;
}

/** The queues of that name (in that pool, if given), or every queue of the pool. */
async function queueIdsOf(ctx: RepositoryContext, pool?: string, queue?: string): Promise<string[]> {
  const {knex} = ctx.db;
  const queues = knex('work_queue').select('id');
  if (queue) queues.where('name', queue);
  if (pool) queues.whereIn('work_pool_id', knex('work_pool').select('id').where('name', pool));
  return ((await queues) as Row[]).map((row) => ctx.db.codec.decodeUuid(row.id) as string);
}

/**
 * Runs sent to one of the named queues. Old agent-era runs may carry only `work_queue_name`,
 * so a queue named without its pool matches that too.
 */
function whereWorkQueue(
  query: Knex.QueryBuilder,
  column: (name: string) => string,
  queueIds: readonly string[],
  pool?: string,
  queue?: string,
): void {
  if (queue && !pool) {
    query.where((either) => either.whereIn(column('work_queue_id'), [...queueIds]).orWhere(column('work_queue_name'), queue));
  } else {
    query.whereIn(column('work_queue_id'), [...queueIds]);
  }
}

/**
 * The deployment id a `--deployment` value names. A full id is taken as given, even if the
 * deployment is gone: its runs outlive it (deployment_id has no foreign key).
 */
async function deploymentIdOf(ctx: RepositoryContext, ref: string): Promise<string> {
  const slash = ref.indexOf('/');
  if (slash < 0) return isUuid(ref) ? ref.toLowerCase() : resolveId(ctx, 'deployment', ref, 'deployment');
  const [flowName, deploymentName] = [ref.slice(0, slash), ref.slice(slash + 1)];
  const row = await ctx.db
    .knex('deployment')
    .select('deployment.id')
    .join('flow', 'flow.id', 'deployment.flow_id')
    .where({'flow.name': flowName, 'deployment.name': deploymentName})
    .first();
  if (!row) throw notFoundError(`no deployment "${ref}" (give it as flow-name/deployment-name, or its id)`);
  return ctx.db.codec.decodeUuid(row.id) as string;
}

/** One flow run by full id or unique id prefix (exit 3 if none, 2 if ambiguous). */
export async function readFlowRun(ctx: RepositoryContext, idOrPrefix: string): Promise<FlowRunRecord> {
  const id = await resolveId(ctx, 'flow_run', idOrPrefix, 'flow run');
  const query = ctx.db.knex('flow_run').select(existingColumns(ctx, 'flow_run', FLOW_RUN_COLUMNS)).where('id', id);
  const [run] = await toFlowRuns(ctx, query);
  return run;
}

async function toFlowRuns(ctx: RepositoryContext, query: Knex.QueryBuilder): Promise<FlowRunRecord[]> {
  return rowsToFlowRuns(ctx, (await query) as Row[]);
}

async function rowsToFlowRuns(ctx: RepositoryContext, raw: Row[]): Promise<FlowRunRecord[]> {
  const rows = raw.map((one) => decodeRow(ctx, 'flow_run', one));
  const states = await readStates(ctx, 'flow_run', rows.flatMap((row) => (row.state_id ? [row.state_id as string] : [])));
  const flowNames = await readFlowNames(ctx, rows.map((row) => row.flow_id as string));
  const now = nowInMicros();
  return rows.map((row) => toFlowRun(row, flowNames.get(row.flow_id as string) ?? null, states.get(row.state_id as string) ?? null, now));
}

async function readFlowNames(ctx: RepositoryContext, flowIds: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(flowIds)];
  const names = new Map<string, string>();
  for (let start = 0; start < unique.length; start += LOOKUP_CHUNK) {
    const rows: Row[] = await ctx.db.knex('flow').select('id', 'name').whereIn('id', unique.slice(start, start + LOOKUP_CHUNK));
    for (const row of rows) names.set(ctx.db.codec.decodeUuid(row.id) as string, row.name as string);
  }
  return names;
}

function toFlowRun(row: Row, flowName: string | null, state: StateRecord | null, now: number): FlowRunRecord {
  const orNull = <T>(column: string) => (row[column] ?? null) as T | null;
  const timing = runTiming(row);
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    name: row.name as string,
    flow_id: row.flow_id as string,
    flow_name: flowName,
    deployment_id: orNull('deployment_id'),
    deployment_version: orNull('deployment_version'),
    work_queue_id: orNull('work_queue_id'),
    work_queue_name: orNull('work_queue_name'),
    flow_version: orNull('flow_version'),
    parameters: (row.parameters as Record<string, unknown> | null) ?? {},
    idempotency_key: orNull('idempotency_key'),
    context: (row.context as Record<string, unknown> | null) ?? {},
    empirical_policy: (row.empirical_policy as Record<string, unknown> | null) ?? {},
    tags: (row.tags as string[] | null) ?? [],
    labels: orNull('labels'),
    parent_task_run_id: orNull('parent_task_run_id'),
    state_type: timing.state_type,
    state_name: orNull('state_name'),
    run_count: (row.run_count as number | null) ?? 0,
    expected_start_time: timing.expected_start_time,
    next_scheduled_start_time: orNull('next_scheduled_start_time'),
    start_time: timing.start_time,
    end_time: orNull('end_time'),
    total_run_time: timing.total_run_time,
    estimated_run_time: estimatedRunTime(timing, now),
    estimated_start_time_delta: estimatedStartTimeDelta(timing, now),
    auto_scheduled: Boolean(row.auto_scheduled),
    infrastructure_document_id: orNull('infrastructure_document_id'),
    infrastructure_pid: orNull('infrastructure_pid'),
    created_by: orNull('created_by'),
    job_variables: orNull('job_variables'),
    state,
  };
}

/** A run in a short list (subflows, parent). */
export interface FlowRunSummary {
  id: string;
  name: string;
  state_type: string | null;
  state_name: string | null;
}

const SUMMARY_COLUMNS = ['flow_run.id', 'flow_run.name', 'flow_run.state_type', 'flow_run.state_name'];

function toSummary(ctx: RepositoryContext, raw: Row): FlowRunSummary {
  const row = decodeRow(ctx, 'flow_run', raw);
  return {
    id: row.id as string,
    name: row.name as string,
    state_type: (row.state_type as string | null) ?? null,
    state_name: (row.state_name as string | null) ?? null,
  };
}

/** Runs started from a task of this run (parent_task_run_id → task_run.flow_run_id), in expected-start order. */
export async function listSubflowRuns(ctx: RepositoryContext, flowRunId: string): Promise<FlowRunSummary[]> {
  const query = ctx.db
    .knex('flow_run')
    .select(SUMMARY_COLUMNS)
    .whereIn('flow_run.parent_task_run_id', ctx.db.knex('task_run').select('id').where('flow_run_id', flowRunId));
  orderRuns(ctx, query, 'flow_run', {field: 'expected-start', direction: 'asc'});
  return ((await query) as Row[]).map((raw) => toSummary(ctx, raw));
}

/** The flow run whose task started this subflow run, or null for a top-level run. */
export async function findParentFlowRun(ctx: RepositoryContext, parentTaskRunId: string | null): Promise<FlowRunSummary | null> {
  if (!parentTaskRunId) return null;
  const row = await ctx.db
    .knex('flow_run')
    .select(SUMMARY_COLUMNS)
    .join('task_run', 'task_run.flow_run_id', 'flow_run.id')
    .where('task_run.id', parentTaskRunId)
    .first();
  return row ? toSummary(ctx, row) : null;
}
