import {expect} from 'chai';

import {openDatabase, type Database} from '../../src/db/connection.js';
import {readSchemaInfo} from '../../src/db/schema-info.js';
import {resolveDatabaseTarget} from '../../src/db/url.js';
import {parseJson, runCli, type CliResult} from '../support/cli.js';

/**
 * Helpers for the state-change command tests: every table dumped row by row (raw values, as
 * stored), so a test can say exactly which rows a command added and changed and that nothing
 * else moved — byte for byte on SQLite.
 */

export const NO_DATABASE_ENV = {
  PREFECTDB_DATABASE_URL: undefined,
  PREFECT_SERVER_DATABASE_CONNECTION_URL: undefined,
  PREFECT_API_DATABASE_CONNECTION_URL: undefined,
  PREFECT_HOME: undefined,
};

export async function cli(url: string, args: string[]): Promise<CliResult> {
  return runCli([...args, '--db', url], NO_DATABASE_ENV);
}

export async function cliJson<T = unknown>(url: string, args: string[]): Promise<{result: CliResult; json: T}> {
  const result = await cli(url, [...args, '--json']);
  return {result, json: parseJson<T>(result)};
}

export type Dump = Map<string, Map<string, string>>;

export interface DumpDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

export async function openTestDatabase(url: string): Promise<Database> {
  return openDatabase(resolveDatabaseTarget(url), {write: true});
}

/** Every row of every table, keyed "table:id" (or the whole row where a table has no id). */
export async function dumpDatabase(url: string): Promise<Dump> {
  const db = await openTestDatabase(url);
  try {
    const schema = await readSchemaInfo(db.knex, db.dialect);
    const dump: Dump = new Map();
    for (const table of [...schema.columns.keys()].sort()) {
      const rows: Array<Record<string, unknown>> = await db.knex(table).select('*');
      const byKey = new Map<string, string>();
      for (const row of rows) {
        const text = JSON.stringify(row, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
        byKey.set(schema.hasColumn(table, 'id') ? String(row.id) : text, text);
      }
      dump.set(table, byKey);
    }
    return dump;
  } finally {
    await db.knex.destroy();
  }
}

export function diffDumps(before: Dump, after: Dump): DumpDiff {
  const diff: DumpDiff = {added: [], changed: [], removed: []};
  for (const [table, rows] of after) {
    const old = before.get(table) ?? new Map();
    for (const [key, text] of rows) {
      if (!old.has(key)) diff.added.push(`${table}:${key}`);
      else if (old.get(key) !== text) diff.changed.push(`${table}:${key}`);
    }
    for (const key of old.keys()) if (!rows.has(key)) diff.removed.push(`${table}:${key}`);
  }
  for (const list of Object.values(diff)) list.sort();
  return diff;
}

/** Asserts exactly these rows were added and changed, none removed, every other row as it was. */
export function expectChanges(before: Dump, after: Dump, expected: {added?: string[]; changed?: string[]}): void {
  const diff = diffDumps(before, after);
  expect({added: diff.added, changed: diff.changed, removed: diff.removed}).to.deep.equal({
    added: [...(expected.added ?? [])].sort(),
    changed: [...(expected.changed ?? [])].sort(),
    removed: [],
  });
}

export function expectUnchanged(before: Dump, after: Dump): void {
  expectChanges(before, after, {});
}

/** Plain SQL on the test database (setup and checks), values as the driver returns them. */
export async function withDatabase<T>(url: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openTestDatabase(url);
  try {
    return await work(db);
  } finally {
    await db.knex.destroy();
  }
}

export interface RunRowView {
  state_id: string | null;
  state_type: string | null;
  state_name: string | null;
  state_timestamp: string | null;
  run_count: number;
  start_time: string | null;
  end_time: string | null;
  next_scheduled_start_time: string | null;
  expected_start_time: string | null;
  total_run_time: number;
  updated: string;
}

/** A run's columns decoded to the contract's values (ISO timestamps, seconds). */
export async function readRun(url: string, table: 'flow_run' | 'task_run', id: string): Promise<RunRowView & Record<string, unknown>> {
  return withDatabase(url, async (db) => {
    const row = await db.knex(table).where('id', id).first();
    const time = (value: unknown) => db.codec.decodeTimestamp(value);
    return {
      ...row,
      state_id: db.codec.decodeUuid(row.state_id),
      state_timestamp: time(row.state_timestamp),
      start_time: time(row.start_time),
      end_time: time(row.end_time),
      next_scheduled_start_time: time(row.next_scheduled_start_time),
      expected_start_time: time(row.expected_start_time),
      total_run_time: db.codec.decodeInterval(row.total_run_time),
      run_count: Number(row.run_count),
      updated: time(row.updated) as string,
      empirical_policy: db.codec.decodeJson(row.empirical_policy),
    };
  });
}

export interface StateRowView {
  id: string;
  type: string;
  name: string;
  timestamp: string;
  message: string | null;
  state_details: Record<string, unknown>;
  data: unknown;
  result_artifact_id: string | null;
  created: string;
  updated: string;
}

/** A run's state rows, oldest first. */
export async function readStateRows(url: string, kind: 'flow_run' | 'task_run', runId: string): Promise<StateRowView[]> {
  return withDatabase(url, async (db) => {
    const rows: Array<Record<string, unknown>> = await db.knex(`${kind}_state`).where(`${kind}_id`, runId).orderBy('timestamp');
    return rows.map((row) => ({
      id: db.codec.decodeUuid(row.id) as string,
      type: row.type as string,
      name: row.name as string,
      timestamp: db.codec.decodeTimestamp(row.timestamp) as string,
      message: (row.message as string | null) ?? null,
      state_details: db.codec.decodeJson(row.state_details) as Record<string, unknown>,
      data: db.codec.decodeJson(row.data),
      result_artifact_id: db.codec.decodeUuid(row.result_artifact_id),
      created: db.codec.decodeTimestamp(row.created) as string,
      updated: db.codec.decodeTimestamp(row.updated) as string,
    }));
  });
}

export async function idsWhere(url: string, table: string, where: (qb: import('knex').Knex.QueryBuilder) => void): Promise<string[]> {
  return withDatabase(url, async (db) => {
    const query = db.knex(table).select('id').orderBy('id');
    where(query);
    return ((await query) as Array<{id: string}>).map((row) => String(row.id));
  });
}

export interface OrchestrationJson {
  id: string;
  status: string;
  details: {type: string; reason: string | null; delay_seconds?: number};
  state: {id: string; type: string; name: string; timestamp: string; message: string | null; state_details: Record<string, unknown>; data: unknown} | null;
}
