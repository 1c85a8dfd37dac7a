import type {Knex} from 'knex';

import {parseInstant} from '../db/codecs/instant.js';
import {usageError} from '../errors.js';
import {decodeRow, type RepositoryContext, type ResultColumn, type Row} from './common.js';

/** Flow runs and task runs share Prefect's `Run` columns and keep their states alike. */
export type RunKind = 'flow_run' | 'task_run';

export const STATE_TYPES = [
  'SCHEDULED',
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'CRASHED',
  'PAUSED',
  'CANCELLING',
] as const;

export type StateType = (typeof STATE_TYPES)[number];

const TERMINAL_STATE_TYPES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);

// The names Prefect itself gives states (prefect-reference/schema.md §7), spelled as stored.
const KNOWN_STATE_NAMES = [
  'Scheduled', 'Late', 'AwaitingRetry', 'AwaitingConcurrencySlot', 'Resuming',
  'Pending', 'Submitting', 'InfrastructurePending', 'NotReady',
  'Running', 'Retrying', 'Rerunning',
  'Completed', 'Cached', 'RolledBack',
  'Failed', 'TimedOut', 'Crashed', 'Cancelling', 'Cancelled', 'Paused', 'Suspended',
];

const KNOWN_BY_LOWER = new Map(KNOWN_STATE_NAMES.map((name) => [name.toLowerCase(), name]));

/** Checks state types given on the command line ("completed" is fine) and returns them upper-cased. */
export function parseStateTypes(values: readonly string[]): StateType[] {
  return values.map((value) => {
    const type = value.trim().toUpperCase();
    if (!(STATE_TYPES as readonly string[]).includes(type)) {
      throw usageError(`unknown state type "${value}": use one of ${STATE_TYPES.join(', ')}`);
    }
    return type as StateType;
  });
}

export interface StateFilter {
  types?: readonly StateType[];
  /** State names as typed by the user, any case. */
  names?: readonly string[];
}

/**
 * Restricts a query on `table` (flow_run or task_run) to runs in the given state types and
 * names. Names are matched exactly, so the state_name index serves the lookup: give it a
 * filter whose names went through storedStateNames first.
 */
export function whereStateMatches(
  ctx: RepositoryContext,
  qb: Knex.QueryBuilder,
  table: RunKind,
  filter: StateFilter,
  {useStateIndexes = true}: {useStateIndexes?: boolean} = {},
): Knex.QueryBuilder {
  // Knex accepts a raw expression where a column goes; its typings only admit strings.
  const column = (name: string) =>
    (useStateIndexes ? `${table}.${name}` : ctx.sql.withoutIndex(`${table}.${name}`)) as string;
  if (filter.types?.length) qb.whereIn(column('state_type'), [...filter.types]);
  // Names given but none stored: nothing matches. Dropping the condition would select every
  // run, and a bulk command would then change them all.
  if (filter.names !== undefined) {
    if (filter.names.length === 0) qb.whereRaw('1 = 0');
    else qb.whereIn(column('state_name'), [...filter.names]);
  }
  return qb;
}

/** Far more distinct state names than any real database holds; the lookup stops there. */
const MAX_DISTINCT_STATE_NAMES = 10_000;

/**
 * The filter with its state names spelled as stored, for whereStateMatches. Prefect's own
 * names only need their case fixed; a custom name matches every stored name equal to it in
 * any case, found by hopping through the state_name index from one distinct value to the
 * next (one index descent per distinct name, never a scan of the runs). A name nothing
 * matches leaves an empty list: the filter then selects no run.
 */
export async function storedStateNames(ctx: RepositoryContext, table: RunKind, filter: StateFilter): Promise<StateFilter> {
  if (!filter.names?.length) return filter;
  const known = filter.names.flatMap((name) => KNOWN_BY_LOWER.get(name.toLowerCase()) ?? []);
  const custom = new Set(filter.names.filter((name) => !KNOWN_BY_LOWER.has(name.toLowerCase())).map((name) => name.toLowerCase()));
  if (custom.size === 0) return {...filter, names: known};
  const rows: Row[] = await ctx.db.knex.raw(
    `with recursive names(name) as (
       select min(state_name) from ??
       union all
       select (select min(state_name) from ?? where state_name > names.name) from names where names.name is not null
     )
     select name from names where name is not null limit ?`,
    [table, table, MAX_DISTINCT_STATE_NAMES],
  ).then((result: Row[] | {rows: Row[]}) => (Array.isArray(result) ? result : result.rows));
  const matching = rows.map((row) => String(row.name)).filter((name) => custom.has(name.toLowerCase()));
  return {...filter, names: [...new Set([...known, ...matching])]};
}

/** A run's current state as Prefect's REST API shows it under `state`. */
export interface StateRecord {
  id: string;
  type: string;
  name: string;
  timestamp: string;
  message: string | null;
  state_details: Record<string, unknown>;
}

/** One entry of a run's state history. */
export type StateHistoryEntry = Omit<StateRecord, 'state_details'>;

const HISTORY_COLUMNS = ['id', 'type', 'name', 'timestamp', 'message'] as const;

/** Ids per `where id in (…)`: well under both dialects' bind-parameter limits. */
export const LOOKUP_CHUNK = 500;

/** The state rows with these ids, by id. Missing ids (task_run.state_id has no FK) are absent. */
export async function readStates(ctx: RepositoryContext, kind: RunKind, stateIds: readonly string[]): Promise<Map<string, StateRecord>> {
  const table = `${kind}_state`;
  const states = new Map<string, StateRecord>();
  const unique = [...new Set(stateIds)];
  for (let start = 0; start < unique.length; start += LOOKUP_CHUNK) {
    const rows: Row[] = await ctx.db
      .knex(table)
      .select([...HISTORY_COLUMNS, 'state_details'])
      .whereIn('id', unique.slice(start, start + LOOKUP_CHUNK));
    for (const raw of rows) {
      const row = decodeRow(ctx, table, raw);
      states.set(row.id as string, {
        ...historyEntry(row),
        state_details: (row.state_details as Record<string, unknown> | null) ?? {},
      });
    }
  }
  return states;
}

const CURRENT_STATE = 'current_state';

/**
 * Joins each run's current state (its `state_id`) into a query on `kind`, for lists that
 * stream: one pass over the rows instead of a lookup per batch. Returns the result columns
 * it selects, for rowDecoder; joinedState reads them back.
 */
export function joinCurrentState(qb: Knex.QueryBuilder, kind: RunKind): ResultColumn[] {
  const table = `${kind}_state`;
  const columns = [...HISTORY_COLUMNS, 'state_details'].map((column) => ({table, column, as: `${CURRENT_STATE}_${column}`}));
  qb.leftJoin(`${table} as ${CURRENT_STATE}`, `${CURRENT_STATE}.id`, `${kind}.state_id`);
  qb.select(columns.map(({column, as}) => `${CURRENT_STATE}.${column} as ${as}`));
  return columns;
}

/** The state joinCurrentState read with a decoded run row, as readStates gives it (null when there is none). */
export function joinedState(row: Row): StateRecord | null {
  if (row.current_state_id == null) return null;
  return {
    id: row.current_state_id as string,
    type: row.current_state_type as string,
    name: row.current_state_name as string,
    timestamp: row.current_state_timestamp as string,
    message: (row.current_state_message as string | null) ?? null,
    state_details: (row.current_state_state_details as Record<string, unknown> | null) ?? {},
  };
}

/** Every state a run went through, oldest first (ties broken by id, so the order is stable). */
export async function readStateHistory(ctx: RepositoryContext, kind: RunKind, runId: string): Promise<StateHistoryEntry[]> {
  const table = `${kind}_state`;
  const rows: Row[] = await ctx.db
    .knex(table)
    .select(HISTORY_COLUMNS)
    .where(`${kind}_id`, runId)
    .orderBy([{column: 'timestamp'}, {column: 'id'}]);
  return rows.map((raw) => historyEntry(decodeRow(ctx, table, raw)));
}

function historyEntry(row: Row): StateHistoryEntry {
  return {
    id: row.id as string,
    type: row.type as string,
    name: row.name as string,
    timestamp: row.timestamp as string,
    message: (row.message as string | null) ?? null,
  };
}

/** The run columns Prefect derives its computed timing fields from (domain values). */
export interface RunTiming {
  state_type: string | null;
  state_timestamp: string | null;
  expected_start_time: string | null;
  start_time: string | null;
  total_run_time: number;
}

/** The timing columns of a decoded flow_run or task_run row. */
export function runTiming(row: Row): RunTiming {
  return {
    state_type: (row.state_type as string | null) ?? null,
    state_timestamp: (row.state_timestamp as string | null) ?? null,
    expected_start_time: (row.expected_start_time as string | null) ?? null,
    start_time: (row.start_time as string | null) ?? null,
    total_run_time: (row.total_run_time as number | null) ?? 0,
  };
}

/**
 * Prefect's `estimated_run_time` (behaviour.md §1.3): the stored run time, plus the time
 * spent in the current state while the run is RUNNING. Seconds.
 */
export function estimatedRunTime(run: RunTiming, nowMicros: number): number {
  if (run.state_type !== 'RUNNING' || !run.state_timestamp) return run.total_run_time;
  return roundMicros(run.total_run_time + (nowMicros - toMicros(run.state_timestamp)) / 1e6);
}

/**
 * Prefect's `estimated_start_time_delta`: how late the run started, or, for a run that has
 * not started, is not finished and is overdue, how late it is now. Seconds, never negative.
 */
export function estimatedStartTimeDelta(run: RunTiming, nowMicros: number): number {
  if (!run.expected_start_time) return 0;
  const expected = toMicros(run.expected_start_time);
  if (run.start_time) return Math.max(0, roundMicros((toMicros(run.start_time) - expected) / 1e6));
  const finished = run.state_type !== null && TERMINAL_STATE_TYPES.has(run.state_type);
  if (!finished && expected < nowMicros) return roundMicros((nowMicros - expected) / 1e6);
  return 0;
}

export function nowInMicros(): number {
  return Date.now() * 1000;
}

function toMicros(iso: string): number {
  const instant = parseInstant(iso);
  return instant.seconds * 1e6 + instant.micros;
}

function roundMicros(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
