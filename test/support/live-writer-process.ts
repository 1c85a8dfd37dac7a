/**
 * A stand-in for a live Prefect server writing into a SQLite file, run as its own process
 * (see live-writer.ts). It writes the way Prefect's server does: Prefect's connection pragmas,
 * every change in its own BEGIN IMMEDIATE transaction waiting up to 60 s for the lock, a run
 * inserted with its first state and pointer in one transaction, later states in another.
 *
 * argv: FILE RUNS_PER_SECOND. On SIGTERM it prints one JSON line on stdout
 * ({committed, states, errors, longestWaitMs}) and exits 0.
 */
import {randomUUID} from 'node:crypto';

import Database from 'better-sqlite3';

const [file, rateText] = process.argv.slice(2);
const rate = Number(rateText ?? '150');
const db = new Database(file, {timeout: 60_000});
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 60000');
db.pragma('synchronous = NORMAL');

const committed: string[] = [];
const errors: string[] = [];
let states = 0;
let longestWaitMs = 0;
let stopping = false;

let lastMicros = 0;

/** Now in microseconds, strictly increasing: Prefect keeps a run's state timestamps unique. */
function stamp(): string {
  const micros = Math.max(Math.floor((performance.timeOrigin + performance.now()) * 1000), lastMicros + 1);
  lastMicros = micros;
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

/** Same as better-sqlite3's db.transaction(), but with the lock taken up front, as Prefect does. */
function immediate<T>(work: () => T): T {
  const started = performance.now();
  db.exec('BEGIN IMMEDIATE');
  longestWaitMs = Math.max(longestWaitMs, performance.now() - started);
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

const flowId = immediate(() => {
  const existing = db.prepare("select id from flow where name = 'live-writer'").get() as {id: string} | undefined;
  if (existing) return existing.id;
  const id = randomUUID();
  const now = stamp();
  db.prepare("insert into flow (id, created, updated, name, tags) values (?, ?, ?, 'live-writer', '[]')").run(id, now, now);
  return id;
});

const insertRun = db.prepare(
  `insert into flow_run (id, created, updated, name, run_count, expected_start_time, next_scheduled_start_time,
     total_run_time, parameters, context, empirical_policy, tags, auto_scheduled, flow_id)
   values (?, ?, ?, ?, 0, ?, ?, '1970-01-01 00:00:00.000000', '{}', '{}', '{"retries": 0, "retry_delay": 0}', '[]', 0, ?)`,
);
const insertState = db.prepare(
  `insert into flow_run_state (id, created, updated, type, timestamp, name, state_details, flow_run_id)
   values (?, ?, ?, ?, ?, ?, '{}', ?)`,
);
const pointRun = db.prepare(
  'update flow_run set state_id = ?, state_type = ?, state_name = ?, state_timestamp = ?, updated = ? where id = ?',
);

function writeState(runId: string, type: string, name: string): void {
  const now = stamp();
  const stateId = randomUUID();
  insertState.run(stateId, now, now, type, now, name, runId);
  pointRun.run(stateId, type, name, now, now, runId);
  states += 1;
}

function createRun(): void {
  const id = randomUUID();
  immediate(() => {
    const now = stamp();
    insertRun.run(id, now, now, `live-${committed.length}`, now, now, flowId);
    writeState(id, 'SCHEDULED', 'Scheduled');
  });
  committed.push(id);
  // A second transaction moves an earlier run on, as a worker picking it up would.
  if (committed.length % 2 === 0) {
    const earlier = committed[committed.length - 2];
    immediate(() => {
      if (db.prepare('select 1 from flow_run where id = ?').get(earlier)) writeState(earlier, 'PENDING', 'Pending');
    });
  }
}

function tick(): void {
  if (stopping) return;
  const started = performance.now();
  // Ten runs per tick at the requested rate, the rest of the tick asleep.
  for (let i = 0; i < 10 && !stopping; i += 1) {
    try {
      createRun();
    } catch (error) {
      errors.push(String((error as Error).message ?? error));
    }
  }
  const budget = (10 / rate) * 1000;
  setTimeout(tick, Math.max(0, budget - (performance.now() - started)));
}

process.on('SIGTERM', () => {
  stopping = true;
  process.stdout.write(JSON.stringify({committed, states, errors, longestWaitMs}) + '\n', () => {
    db.close();
    process.exit(0);
  });
});

process.stderr.write('live-writer ready\n');
tick();
