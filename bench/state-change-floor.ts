import {randomUUID} from 'node:crypto';

import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * The floor for bulk set-state: the same row changes a forced Cancelled makes, through the
 * bare driver — per batch of 500 runs in one transaction (BEGIN IMMEDIATE on SQLite), read
 * the runs' state columns, insert one state row per run, and update each run's pointer,
 * state columns, end time and `updated`. No orchestration, no codec, no query builder.
 */

const BATCH = 500;

const DETAILS = (runId: string) =>
  JSON.stringify({flow_run_id: runId, task_run_id: null, child_flow_run_id: null, scheduled_time: null, cache_key: null, cache_expiration: null, deferred: false, untrackable_result: false, pause_timeout: null, pause_reschedule: false, pause_key: null, run_input_keyset: null, refresh_cache: null, retriable: null, transition_id: null, task_parameters_id: null, traceparent: null, deployment_concurrency_lease_id: null}).replaceAll('":', '": ').replaceAll(',"', ', "');

function sqliteNow(): string {
  const iso = new Date().toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

export function sqliteSetStateFloor(file: string, ids: readonly string[]): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 60000');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    `insert into flow_run_state (id, created, updated, type, timestamp, name, message, state_details, data, flow_run_id, result_artifact_id)
     values (?, ?, ?, 'CANCELLED', ?, 'Cancelled', null, ?, null, ?, null)`,
  );
  const update = db.prepare(
    `update flow_run set state_id = ?, state_type = 'CANCELLED', state_name = 'Cancelled', state_timestamp = ?,
       end_time = coalesce(end_time, ?), next_scheduled_start_time = null, updated = ? where id = ?`,
  );
  const started = performance.now();
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    db.exec('BEGIN IMMEDIATE');
    db.prepare(`select id, state_id, end_time from flow_run where id in (${batch.map(() => '?').join(',')})`).all(...batch);
    for (const id of batch) {
      const now = sqliteNow();
      const stateId = randomUUID();
      insert.run(stateId, now, now, now, DETAILS(id), id);
      update.run(stateId, now, now, now, id);
    }
    db.exec('COMMIT');
  }
  const elapsed = performance.now() - started;
  db.close();
  return elapsed;
}

/**
 * On PostgreSQL the floor is set-based, as prefectdb's own statements are: per batch one
 * SELECT … FOR UPDATE, one multi-row INSERT of the states and one UPDATE … FROM unnest(…).
 */
export async function postgresSetStateFloor(url: string, ids: readonly string[]): Promise<number> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  const started = performance.now();
  try {
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = ids.slice(start, start + BATCH);
      const now = new Date().toISOString();
      const stateIds = batch.map(() => randomUUID());
      await client.query('begin');
      await client.query('select id, state_id, end_time from flow_run where id = any($1::uuid[]) for update', [batch]);
      await client.query(
        `insert into flow_run_state (id, created, updated, type, timestamp, name, message, state_details, data, flow_run_id, result_artifact_id)
         select s.id, $2, $2, 'CANCELLED', $2, 'Cancelled', null, s.details, null, s.run_id, null
           from unnest($1::uuid[], $3::jsonb[], $4::uuid[]) as s(id, details, run_id)`,
        [stateIds, now, batch.map((id) => DETAILS(id)), batch],
      );
      await client.query(
        `update flow_run as r set state_id = v.state_id, state_type = 'CANCELLED', state_name = 'Cancelled', state_timestamp = $3,
           end_time = coalesce(r.end_time, $3), next_scheduled_start_time = null, updated = $3
           from unnest($1::uuid[], $2::uuid[]) as v(id, state_id) where r.id = v.id`,
        [batch, stateIds, now],
      );
      await client.query('commit');
    }
  } finally {
    await client.end();
  }
  return performance.now() - started;
}
