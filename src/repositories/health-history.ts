import type {Knex} from 'knex';

import {formatIsoInstant, parseInstant} from '../db/codecs/instant.js';
import {streamRows} from '../db/row-stream.js';
import {bookkeep, type StateEntry, type StateType} from '../seed/bookkeeping.js';
import type {RepositoryContext, Row} from './common.js';
import {decodeRow} from './common.js';

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
 * What the derivation reads of a state row, `s`: its columns and state_details.scheduled_time
 * taken out in SQL (the rest of state_details is large and never needed).
 */
function stateSelection(ctx: RepositoryContext, prefix: string): Array<string | Knex.Raw> {
  return [
    ...STATE_COLUMNS.map((c) => `s.${c} as ${prefix}${c}`),
    ctx.db.knex.raw('? as ??', [ctx.sql.jsonString('s.state_details', 'scheduled_time'), `${prefix}scheduled_time`]),
  ];
}

const micros = (iso: string): number => {
  const instant = parseInstant(iso);
  return instant.seconds * 1e6 + instant.micros;
};
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
  const states = `${kind}_state`;
  const runColumn = `${kind}_id`;
  const encoded = ids.map((id) => codec.encodeUuid(id));
  const runs = (await knex(kind).whereIn('id', encoded).select(RUN_COLUMNS.filter((c) => ctx.schema.hasColumn(kind, c))).orderBy('id')).map((raw: Row) =>
    decodeRow(ctx, kind, raw),
  );
  const histories = new Map<string, Row[]>();
  const rows: Row[] = await knex(`${states} as s`)
    .whereIn(`s.${runColumn}`, encoded)
    .select([`s.${runColumn} as ${runColumn}`, ...stateSelection(ctx, '')])
    .orderBy([{column: `s.${runColumn}`}, {column: 's.timestamp'}, {column: 's.id'}]);
  for (const raw of rows) {
    const row = decodeRow(ctx, states, raw);
    const list = histories.get(row[runColumn] as string) ?? [];
    list.push(row);
    histories.set(row[runColumn] as string, list);
  }
  return runs.map((run) => ({run, derived: derive(histories.get(run.id as string) ?? [])}));
}

function derive(history: Row[]): DerivedColumns | null {
  if (history.length === 0) return null;
  const entries: StateEntry[] = history.map((state) => {
    const scheduled = state.scheduled_time;
    return {
      type: state.type as StateType,
      name: state.name as string,
      timestamp: micros(state.timestamp as string),
      scheduledTime: typeof scheduled === 'string' ? micros(scheduled) : undefined,
      message: null,
    };
  });
  const columns = bookkeep(entries);
  const last = history[history.length - 1];
  return {
    state_id: last.id as string,
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

/** Rows of the history pass read per batch. */
const PASS_BATCH = 2000;

/**
 * Every run that has states, with its columns derived from its history, in id order, handed
 * over a batch at a time: one ordered pass (the runs' id index joined to the (run, timestamp)
 * state index) instead of a lookup per page of runs, in bounded memory.
 */
export async function forEachRunWithHistory(ctx: RepositoryContext, kind: RunKind, onBatch: (entries: RunWithHistory[]) => void): Promise<void> {
  const states = `${kind}_state`;
  const runColumns = RUN_COLUMNS.filter((c) => ctx.schema.hasColumn(kind, c));
  const query = ctx.db
    .knex(`${kind} as r`)
    .join(`${states} as s`, `s.${kind}_id`, 'r.id')
    .select([...runColumns.map((c) => `r.${c} as r_${c}`), ...stateSelection(ctx, 's_')])
    .orderBy([{column: 'r.id'}, {column: 's.timestamp'}, {column: 's.id'}]);
  let current: {rawId: unknown; run: Row; history: Row[]} | undefined;
  const finish = (done: RunWithHistory[]) => {
    if (current) done.push({run: current.run, derived: derive(current.history)});
  };
  await streamRows(ctx.db, query, PASS_BATCH, async (rows) => {
    const done: RunWithHistory[] = [];
    for (const raw of rows) {
      if (!current || raw.r_id !== current.rawId) {
        finish(done);
        current = {rawId: raw.r_id, run: decodeRow(ctx, kind, pick(raw, 'r_', runColumns)), history: []};
      }
      current.history.push(decodeRow(ctx, states, pick(raw, 's_', [...STATE_COLUMNS, 'scheduled_time'])));
    }
    if (done.length > 0) onBatch(done);
  });
  const last: RunWithHistory[] = [];
  finish(last);
  if (last.length > 0) onBatch(last);
}

function pick(raw: Row, prefix: string, columns: readonly string[]): Row {
  const row: Row = {};
  for (const column of columns) row[column] = raw[prefix + column];
  return row;
}
