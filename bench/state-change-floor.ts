import {randomUUID} from 'node:crypto';

import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * The floor for bulk state changes: the same row changes a forced Cancelled makes, through the
 * bare driver — per batch of 500 runs in one transaction (BEGIN IMMEDIATE on SQLite), read the
 * runs' state columns, insert one state row per run, and update each run's pointer, state
 * columns, end time and `updated`. For cancel, the batch then looks up the runs' active subflows
 * and non-terminal task runs, and forces the task runs to Cancelled the same way (the seeded
 * databases have no subflows, so the lookup is all there is to it). No orchestration, no codec,
 * no query builder.
 */

export interface StateFloorOptions {
  cancelChildren: boolean;
}

export interface FloorRun {
  ms: number;
  /** This process's CPU time (user + sys) over the floor. */
  cpuMs: number;
  longestLockMs: number;
}

const BATCH = 500;
const NON_TERMINAL = "('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING')";
const PARENT_CANCELLED = 'The parent flow run was cancelled.';

const DETAILS = (runId: string | null, taskRunId: string | null = null) =>
  JSON.stringify({flow_run_id: runId, task_run_id: taskRunId, child_flow_run_id: null, scheduled_time: null, cache_key: null, cache_expiration: null, deferred: false, untrackable_result: false, pause_timeout: null, pause_reschedule: false, pause_key: null, run_input_keyset: null, refresh_cache: null, retriable: null, transition_id: null, task_parameters_id: null, traceparent: null, deployment_concurrency_lease_id: null}).replaceAll('":', '": ').replaceAll(',"', ', "');

function sqliteNow(): string {
  const iso = new Date().toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

class Clock {
  private readonly started = performance.now();
  private readonly cpu = process.cpuUsage();
  longestLockMs = 0;

  async batch<T>(work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    const result = await work();
    this.longestLockMs = Math.max(this.longestLockMs, performance.now() - started);
    return result;
  }

  done(): FloorRun {
    const cpu = process.cpuUsage(this.cpu);
    return {ms: performance.now() - this.started, cpuMs: (cpu.user + cpu.system) / 1000, longestLockMs: this.longestLockMs};
  }
}

export async function sqliteStateFloor(file: string, ids: readonly string[], options: StateFloorOptions): Promise<FloorRun> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 60000');
  db.pragma('synchronous = NORMAL');
  const stateInsert = (kind: 'flow_run' | 'task_run') =>
    db.prepare(
      `insert into ${kind}_state (id, created, updated, type, timestamp, name, message, state_details, data, ${kind}_id, result_artifact_id)
       values (?, ?, ?, 'CANCELLED', ?, 'Cancelled', ?, ?, null, ?, null)`,
    );
  const runUpdate = (kind: 'flow_run' | 'task_run') =>
    db.prepare(
      `update ${kind} set state_id = ?, state_type = 'CANCELLED', state_name = 'Cancelled', state_timestamp = ?,
         end_time = coalesce(end_time, ?), next_scheduled_start_time = null, updated = ? where id = ?`,
    );
  const flowInsert = stateInsert('flow_run');
  const flowUpdate = runUpdate('flow_run');
  const taskInsert = stateInsert('task_run');
  const taskUpdate = runUpdate('task_run');
  const clock = new Clock();
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    const marks = batch.map(() => '?').join(',');
    await clock.batch(() => {
      db.exec('BEGIN IMMEDIATE');
      db.prepare(`select id, state_id, end_time from flow_run where id in (${marks})`).all(...batch);
      for (const id of batch) {
        const now = sqliteNow();
        const stateId = randomUUID();
        flowInsert.run(stateId, now, now, now, null, DETAILS(id), id);
        flowUpdate.run(stateId, now, now, now, id);
      }
      if (options.cancelChildren) {
        db.prepare(`select id from flow_run where parent_task_run_id in (select id from task_run where flow_run_id in (${marks})) and +state_type in ${NON_TERMINAL}`).all(...batch);
        const tasks = db.prepare(`select id, flow_run_id from task_run where flow_run_id in (${marks}) and state_type in ${NON_TERMINAL}`).all(...batch) as Array<{id: string; flow_run_id: string}>;
        for (const task of tasks) {
          const now = sqliteNow();
          const stateId = randomUUID();
          taskInsert.run(stateId, now, now, now, PARENT_CANCELLED, DETAILS(task.flow_run_id, task.id), task.id);
          taskUpdate.run(stateId, now, now, now, task.id);
        }
      }
      db.exec('COMMIT');
    });
  }
  const run = clock.done();
  db.close();
  return run;
}

/**
 * On PostgreSQL the floor is set-based, as prefectdb's own statements are: per batch one
 * SELECT … FOR UPDATE, one multi-row INSERT of the states and one UPDATE … FROM unnest(…);
 * the same again for the children of a cancel.
 */
export async function postgresStateFloor(url: string, ids: readonly string[], options: StateFloorOptions): Promise<FloorRun> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  const force = async (kind: 'flow_run' | 'task_run', runIds: string[], details: string[], message: string | null) => {
    if (runIds.length === 0) return;
    const now = new Date().toISOString();
    const stateIds = runIds.map(() => randomUUID());
    await client.query(
      `insert into ${kind}_state (id, created, updated, type, timestamp, name, message, state_details, data, ${kind}_id, result_artifact_id)
       select s.id, $2, $2, 'CANCELLED', $2, 'Cancelled', $5, s.details, null, s.run_id, null
         from unnest($1::uuid[], $3::jsonb[], $4::uuid[]) as s(id, details, run_id)`,
      [stateIds, now, details, runIds, message],
    );
    await client.query(
      `update ${kind} as r set state_id = v.state_id, state_type = 'CANCELLED', state_name = 'Cancelled', state_timestamp = $3,
         end_time = coalesce(r.end_time, $3), next_scheduled_start_time = null, updated = $3
         from unnest($1::uuid[], $2::uuid[]) as v(id, state_id) where r.id = v.id`,
      [runIds, stateIds, now],
    );
  };
  const clock = new Clock();
  try {
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = ids.slice(start, start + BATCH);
      await clock.batch(async () => {
        await client.query('begin');
        await client.query('select id, state_id, end_time from flow_run where id = any($1::uuid[]) for update', [batch]);
        await force('flow_run', batch, batch.map((id) => DETAILS(id)), null);
        if (options.cancelChildren) {
          await client.query(`select id from flow_run where parent_task_run_id in (select id from task_run where flow_run_id = any($1::uuid[])) and state_type in ${NON_TERMINAL}`, [batch]);
          const tasks = (await client.query(`select id::text, flow_run_id::text from task_run where flow_run_id = any($1::uuid[]) and state_type in ${NON_TERMINAL}`, [batch])).rows as Array<{id: string; flow_run_id: string}>;
          await force('task_run', tasks.map((t) => t.id), tasks.map((t) => DETAILS(t.flow_run_id, t.id)), PARENT_CANCELLED);
        }
        await client.query('commit');
      });
    }
  } finally {
    await client.end();
  }
  return clock.done();
}
