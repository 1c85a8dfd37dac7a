import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

import Database from 'better-sqlite3';

import type {Dialect} from '../../src/db/dialect.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

/**
 * What the flow-run and task-run tests expect, read from a fixture by plain SQL with
 * better-sqlite3 — independent of prefectdb's own code — and normalised to the JSON contract.
 */

/** '2024-04-24 16:29:02.842591' → '2024-04-24T16:29:02.842591Z' */
export function isoFromSqlite(text: string | null): string | null {
  return text === null ? null : text.replace(' ', 'T') + 'Z';
}

/** SQLite's interval-as-DATETIME ('1970-01-01 00:00:06.545751') → 6.545751 seconds. */
export function secondsFromSqliteInterval(value: string | number): number {
  if (typeof value === 'number') return value;
  const [whole, fraction = '0'] = value.split('.');
  const seconds = Date.parse(whole.replace(' ', 'T') + 'Z') / 1000;
  return Math.round((seconds + Number(`0.${fraction}`)) * 1e6) / 1e6;
}

export const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);

export interface RunRow {
  id: string;
  name: string;
  created: string;
  state_id: string | null;
  state_type: string | null;
  state_name: string | null;
  expected_start_time: string | null;
  start_time: string | null;
  end_time: string | null;
  total_run_time: string | number;
  tags: string;
}

export interface HistoryRow {
  id: string;
  type: string;
  name: string;
  timestamp: string;
  message: string | null;
}

export function openFixture(path: string): Database.Database {
  return new Database(path, {readonly: true, fileMustExist: true});
}

export function readRuns<T extends RunRow>(sqlite: Database.Database, table: 'flow_run' | 'task_run', extra: string[] = []): T[] {
  const columns = ['id', 'name', 'created', 'state_id', 'state_type', 'state_name', 'expected_start_time', 'start_time', 'end_time', 'total_run_time', 'tags', ...extra];
  return sqlite.prepare(`select ${columns.join(', ')} from ${table}`).all() as T[];
}

/** A run's states oldest first, as the contract shows them. */
export function readHistory(sqlite: Database.Database, table: 'flow_run' | 'task_run', runId: string): HistoryRow[] {
  const rows = sqlite
    .prepare(`select id, type, name, timestamp, message from ${table}_state where ${table}_id = ? order by timestamp, id`)
    .all(runId) as HistoryRow[];
  return rows.map((row) => ({...row, timestamp: isoFromSqlite(row.timestamp)!}));
}

type SortField = 'expected-start' | 'start' | 'end' | 'created' | 'name';
const SORT_COLUMN: Record<SortField, keyof RunRow> = {
  'expected-start': 'expected_start_time',
  start: 'start_time',
  end: 'end_time',
  created: 'created',
  name: 'name',
};

/**
 * Ids in the order the contract promises: by the field, NULLs counted as largest (as
 * PostgreSQL orders), ties by id in the same direction.
 */
export function expectedOrder(rows: RunRow[], field: SortField, direction: 'asc' | 'desc'): string[] {
  const column = SORT_COLUMN[field];
  const sign = direction === 'asc' ? 1 : -1;
  const compare = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return [...rows]
    .sort((a, b) => sign * (compare(a[column] as string | null, b[column] as string | null) || compare(a.id, b.id)))
    .map((row) => row.id);
}

/** `start − expected` when the run started late, as Prefect computes estimated_start_time_delta for a started run. */
export function startDelay(row: RunRow): number {
  if (!row.start_time || !row.expected_start_time) return 0;
  const micros = (text: string) => {
    const [whole, fraction] = text.split('.');
    return Date.parse(whole.replace(' ', 'T') + 'Z') * 1000 + Number(fraction ?? 0);
  };
  return Math.max(0, Math.round(micros(row.start_time) - micros(row.expected_start_time)) / 1e6);
}

/**
 * Removes what depends on the moment a command ran (the estimates of unfinished runs),
 * so two runs of a command can be compared.
 */
export function withoutClockFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClockFields);
  if (value === null || typeof value !== 'object') return value;
  const record = {...(value as Record<string, unknown>)};
  if ('estimated_start_time_delta' in record && !TERMINAL.has(record.state_type as string)) {
    delete record.estimated_start_time_delta;
    delete record.estimated_run_time;
  }
  return record;
}

/** The shortest prefix of `id` (8 characters at least) that no other run's id starts with. */
export function uniquePrefix(id: string, runs: ReadonlyArray<{id: string}>): string {
  for (let length = 8; length < id.length; length++) {
    const prefix = id.slice(0, length);
    if (runs.every((run) => run.id === id || !run.id.startsWith(prefix))) return prefix;
  }
  return id;
}

export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The --db value for one dialect: the SQLite copy itself, or a PostgreSQL database loaded
 * from it (dropped by the returned function).
 */
export async function databaseFor(
  context: Mocha.Context,
  dialect: Dialect,
  fixture: string,
  sqlitePath: string,
): Promise<{db: string; drop?: () => Promise<void>}> {
  // On SQLite the tests read the very copy whose hash they check afterwards.
  if (dialect === 'sqlite') return {db: sqlitePath};
  const {url, drop} = await fixtureDatabase(context, dialect, fixture);
  return {db: url, drop};
}
