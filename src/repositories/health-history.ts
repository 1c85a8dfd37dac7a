import type {Knex} from 'knex';

import {formatIsoInstant, parseInstant} from '../db/codecs/instant.js';
import {openRowCursor, type RowCursor} from '../db/row-stream.js';
import {bookkeep, type StateEntry, type StateType} from '../seed/bookkeeping.js';
import type {RepositoryContext, Row} from './common.js';
import {columnDecoder, rowDecoder} from './common.js';

/**
 * A run's denormalised columns re-derived from its state history, through the same global
 * transforms Prefect's server applies (seed/bookkeeping.ts), to find and repair runs whose
 * columns disagree with their history.
 */

export type RunKind = 'flow_run' | 'task_run';

/** The columns derived from the history, as domain values. */
export interface DerivedColumns {
  state_id: string;
  state_type: string;
  state_name: string;
  state_timestamp: string;
  start_time: string | null;
  end_time: string | null;
  total_run_time: number;
  run_count: number;
  next_scheduled_start_time: string | null;
  expected_start_time: string | null;
}

/** The columns compared against the history (expected_start_time is the client's to set first). */
export const COMPARED_COLUMNS = ['state_id', 'state_type', 'state_name', 'state_timestamp', 'start_time', 'end_time', 'total_run_time', 'run_count'] as const;

const RUN_COLUMNS = ['id', ...COMPARED_COLUMNS, 'next_scheduled_start_time', 'expected_start_time'] as const;
const STATE_COLUMNS = ['id', 'type', 'name', 'timestamp'] as const;

/**
 * Whether a run's states come newest first. Prefect's unique index on each state table is
 * (run, timestamp) ascending on SQLite but (run, timestamp DESC) on PostgreSQL, where the
 * oldest-first order would cost a sort of the whole table (spilling to disk); reading it in
 * the index's own order and reversing each run's short history in memory costs nothing.
 * The index being unique, no two states of a run share a timestamp, so no tie-breaker is
 * needed (one would keep the index from serving the order).
 */
const newestFirst = (ctx: RepositoryContext): boolean => ctx.db.dialect === 'postgres';

/**
 * The state columns the derivation reads, with state_details.scheduled_time taken out in
 * SQL (the rest of state_details is large and never needed), and the run they belong to,
 * in run order and within a run in the order `newestFirst` says. Only Scheduled states'
 * scheduled_time counts (seed/bookkeeping.ts), so only theirs is parsed out of the JSON: a
 * third of SQLite's work on the task-run states.
 */
function stateQuery(ctx: RepositoryContext, knex: Knex | Knex.Transaction, kind: RunKind): Knex.QueryBuilder {
  const runColumn = `${kind}_id`;
  const order = newestFirst(ctx)
    ? [{column: `s.${runColumn}`}, {column: 's.timestamp', order: 'desc'}]
    : [{column: `s.${runColumn}`}, {column: 's.timestamp'}, {column: 's.id'}];
  return knex(`${kind}_state as s`)
    .select([`s.${runColumn} as run_id`, ...STATE_COLUMNS.map((c) => `s.${c}`), ctx.db.knex.raw(`case when s.type = 'SCHEDULED' then ? end as ??`, [ctx.sql.jsonFieldJson('s.state_details', 'scheduled_time'), 'scheduled_time'])])
    .orderBy(order);
}

/**
 * The state fields the derivation reads, each decoded as decodeRow would, and only when read
 * (a state's id matters only for the newest one); the timestamp is read by storedMicros.
 * scheduled_time is state_details' field as JSON text.
 */
interface StateFields {
  id(raw: Row): string;
  type(raw: Row): StateType;
  name(raw: Row): string;
}

function stateFields(ctx: RepositoryContext, kind: RunKind): StateFields {
  const table = `${kind}_state`;
  const [id, type, name] = STATE_COLUMNS.map((column) => columnDecoder(ctx, table, column));
  return {
    id: (raw) => id(raw.id) as string,
    type: (raw) => type(raw.type) as StateType,
    name: (raw) => name(raw.name) as string,
  };
}

const micros = (iso: string): number => {
  const instant = parseInstant(iso);
  return instant.seconds * 1e6 + instant.micros;
};
/**
 * A stored timestamp as microseconds, read straight from the driver's value: what decoding
 * it to ISO text and parsing that back gives, without the round trip, once per state.
 */
const storedMicros = (value: unknown): number => (value instanceof Date ? value.getTime() * 1000 : micros(String(value)));
const iso = (value: number | null): string | null => {
  if (value === null) return null;
  const seconds = Math.floor(value / 1e6);
  return formatIsoInstant({seconds, micros: value - seconds * 1e6});
};

export interface RunWithHistory {
  run: Row;
  derived: DerivedColumns | null;
}

/** The runs with these ids and their columns derived from their histories (null without states). */
export async function runsWithHistory(ctx: RepositoryContext, knex: Knex | Knex.Transaction, kind: RunKind, ids: readonly string[]): Promise<RunWithHistory[]> {
  const {codec} = ctx.db;
  const encoded = ids.map((id) => codec.encodeUuid(id));
  const decodeRun = rowDecoder(ctx, kind, RUN_COLUMNS.filter((c) => ctx.schema.hasColumn(kind, c)));
  const runs = (await knex(kind).whereIn('id', encoded).select(RUN_COLUMNS.filter((c) => ctx.schema.hasColumn(kind, c))).orderBy('id')).map(decodeRun);
  const fields = stateFields(ctx, kind);
  const histories = new Map<string, Row[]>();
  for (const raw of (await stateQuery(ctx, knex, kind).whereIn(`s.${kind}_id`, encoded)) as Row[]) {
    const runId = codec.decodeUuid(raw.run_id) as string;
    const list = histories.get(runId) ?? [];
    list.push(raw);
    histories.set(runId, list);
  }
  const reverse = newestFirst(ctx);
  return runs.map((run) => {
    const history = histories.get(run.id as string) ?? [];
    return {run, derived: derive(reverse ? history.reverse() : history, fields)};
  });
}

function derive(history: Row[], fields: StateFields): DerivedColumns | null {
  if (history.length === 0) return null;
  const entries: StateEntry[] = history.map((state) => {
    const json = state.scheduled_time as string | null;
    const scheduled: unknown = json?.startsWith('"') ? JSON.parse(json) : undefined;
    return {
      type: fields.type(state),
      name: fields.name(state),
      timestamp: storedMicros(state.timestamp),
      scheduledTime: typeof scheduled === 'string' ? micros(scheduled) : undefined,
      message: null,
    };
  });
  const columns = bookkeep(entries);
  const last = history[history.length - 1];
  return {
    state_id: fields.id(last),
    state_type: columns.stateType,
    state_name: columns.stateName,
    state_timestamp: iso(columns.stateTimestamp) as string,
    start_time: iso(columns.startTime),
    end_time: iso(columns.endTime),
    total_run_time: Math.round(columns.totalRunTime) / 1e6,
    run_count: columns.runCount,
    next_scheduled_start_time: iso(columns.nextScheduledStartTime),
    expected_start_time: iso(columns.expectedStartTime),
  };
}

/** The compared columns where the run disagrees with its history. */
export function disagreements(entry: RunWithHistory): string[] {
  const {run, derived} = entry;
  if (!derived) return [];
  return COMPARED_COLUMNS.filter((column) => {
    const stored = run[column] ?? null;
    const wanted = derived[column];
    if (column === 'total_run_time') return Math.abs(Number(stored ?? 0) - (wanted as number)) > 1e-6;
    if (column === 'run_count') return Number(stored ?? 0) !== wanted;
    // Prefect's scheduler inserts its runs without a state_timestamp: not a disagreement.
    if (column === 'state_timestamp' && stored === null) return false;
    return stored !== wanted;
  });
}

/** Writes the derived columns; expected_start_time only where it is still empty, as Prefect sets it once. */
export async function writeDerivedColumns(ctx: RepositoryContext, trx: Knex.Transaction, kind: RunKind, entry: RunWithHistory, now: string): Promise<void> {
  const {codec} = ctx.db;
  const {run, derived} = entry;
  if (!derived) return;
  const values: Row = {
    state_id: codec.encodeUuid(derived.state_id),
    state_type: derived.state_type,
    state_name: derived.state_name,
    state_timestamp: codec.encodeTimestamp(derived.state_timestamp),
    start_time: codec.encodeTimestamp(derived.start_time),
    end_time: codec.encodeTimestamp(derived.end_time),
    total_run_time: codec.encodeInterval(derived.total_run_time),
    run_count: derived.run_count,
    next_scheduled_start_time: codec.encodeTimestamp(derived.next_scheduled_start_time),
    updated: codec.encodeTimestamp(now),
  };
  if (run.expected_start_time == null) values.expected_start_time = codec.encodeTimestamp(derived.expected_start_time);
  for (const column of Object.keys(values)) if (!ctx.schema.hasColumn(kind, column)) delete values[column];
  await trx(kind).where('id', codec.encodeUuid(run.id as string)).update(values);
}

/** Rows read from each cursor at a time. */
const PASS_BATCH = 2000;

/**
 * A cursor read one row at a time: `row` is the current row (undefined once the query is
 * exhausted). `advance` moves on and says when the batch is spent; only then does the
 * reader wait, for `refill` (no promise per row).
 */
class RowReader {
  private batch: Row[] = [];
  private index = 0;
  private exhausted = false;

  constructor(private readonly cursor: RowCursor) {}

  get row(): Row | undefined {
    return this.batch[this.index];
  }

  advance(): boolean {
    this.index++;
    return this.index >= this.batch.length && !this.exhausted;
  }

  async refill(): Promise<void> {
    this.batch = await this.cursor.next(PASS_BATCH);
    this.index = 0;
    this.exhausted = this.batch.length < PASS_BATCH;
  }
}

/**
 * Every run that has states, with its columns derived from its history, in id order, handed
 * over a batch at a time: the runs in id order merged with their states in (run, timestamp)
 * order, two ordered scans read side by side (one pass over each table, in bounded memory)
 * instead of a lookup per page of runs.
 */
export async function forEachRunWithHistory(ctx: RepositoryContext, kind: RunKind, onBatch: (entries: RunWithHistory[]) => void): Promise<void> {
  const {knex} = ctx.db;
  const runColumns = RUN_COLUMNS.filter((c) => ctx.schema.hasColumn(kind, c));
  const decodeRun = rowDecoder(ctx, kind, runColumns);
  const fields = stateFields(ctx, kind);
  const reverse = newestFirst(ctx);
  const runCursor = await openRowCursor(ctx.db, knex(kind).select(runColumns).orderBy('id'));
  try {
    const stateCursor = await openRowCursor(ctx.db, stateQuery(ctx, knex, kind));
    try {
      const runs = new RowReader(runCursor);
      const states = new RowReader(stateCursor);
      await runs.refill();
      await states.refill();
      let done: RunWithHistory[] = [];
      for (; runs.row !== undefined && states.row !== undefined; runs.advance() && (await runs.refill())) {
        const raw = runs.row;
        const id = raw.id as string;
        const history: Row[] = [];
        // Both scans are in the database's order of the raw ids: states of runs that do not exist are skipped.
        for (let state = states.row; state !== undefined && (state.run_id as string) <= id; state = states.row) {
          if (state.run_id === id) history.push(state);
          if (states.advance()) await states.refill();
        }
        if (history.length === 0) continue;
        if (reverse) history.reverse();
        done.push({run: decodeRun(raw), derived: derive(history, fields)});
        if (done.length >= PASS_BATCH) {
          onBatch(done);
          done = [];
          // SQLite's cursors answer without ever leaving this turn of the event loop: let it
          // run between batches, so checks running beside (a reader thread's answer) are heard.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      if (done.length > 0) onBatch(done);
    } finally {
      await stateCursor.close();
    }
  } finally {
    await runCursor.close();
  }
}
