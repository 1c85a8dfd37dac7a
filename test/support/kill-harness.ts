import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

import Database from 'better-sqlite3';

/**
 * kill -9 trials for write commands (design §7: every batch atomic, re-running finishes the
 * job): run the built CLI (`./bin/run.js`, so `npm run build` first) on a SQLite file, SIGKILL
 * it at a chosen moment, then check the file with sqliteConsistencyProblems().
 */

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface KilledRun {
  /** True when SIGKILL arrived while the command was still running. */
  killed: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** How long the command ran before it was killed or ended, in milliseconds. */
  ranMs: number;
}

/** Runs `prefectdb ARGS` and kills it with SIGKILL after `afterMs` unless it ended first. */
export async function runAndKill(args: string[], afterMs: number, env: NodeJS.ProcessEnv = {}): Promise<KilledRun> {
  return runBuiltCli(args, {killAfterMs: afterMs, env});
}

/** Runs `prefectdb ARGS` to its end as a separate process. */
export async function runBuiltCli(args: string[], options: {killAfterMs?: number; env?: NodeJS.ProcessEnv} = {}): Promise<KilledRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...options.env}});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let killed = false;
  const timer =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          killed = child.exitCode === null && child.signalCode === null;
          child.kill('SIGKILL');
        }, options.killAfterMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  if (timer) clearTimeout(timer);
  return {killed, exitCode, stdout, stderr, ranMs: performance.now() - started};
}

/** A small seeded generator, so a failing trial can be replayed from the seed in its message. */
export function trialRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

/**
 * What must hold in a Prefect SQLite file after any interruption: integrity_check ok, no
 * foreign-key violation, and for every flow and task run, the state pointer names its newest
 * state row (none when it has no states) and the run's state columns agree with that row.
 * Returns the problems found, empty when the file is consistent.
 */
export function sqliteConsistencyProblems(file: string): string[] {
  // Opened as the next command would open it: a kill can leave a hot journal (or a WAL to
  // recover), which SQLite rolls back on open, and a read-only connection may not do that.
  const db = new Database(file);
  try {
    const problems: string[] = [];
    const integrity = db.pragma('integrity_check') as Array<{integrity_check: string}>;
    if (integrity.length !== 1 || integrity[0].integrity_check !== 'ok') {
      problems.push(`integrity_check: ${integrity.map((r) => r.integrity_check).slice(0, 3).join('; ')}`);
    }
    const foreignKeys = db.pragma('foreign_key_check') as Array<{table: string; parent: string}>;
    if (foreignKeys.length > 0) {
      problems.push(`foreign_key_check: ${foreignKeys.length} violations, first ${foreignKeys[0].table} → ${foreignKeys[0].parent}`);
    }
    for (const [run, state, key] of [
      ['flow_run', 'flow_run_state', 'flow_run_id'],
      ['task_run', 'task_run_state', 'task_run_id'],
    ]) {
      const bad = db
        .prepare(
          `with newest as (
             select s.${key} as run_id, s.id, s.type, s.name, s.timestamp,
                    row_number() over (partition by s.${key} order by s.timestamp desc, s.created desc) as n
             from ${state} s)
           select r.id, r.state_id, n.id as newest_id from ${run} r left join newest n on n.run_id = r.id and n.n = 1
           where r.state_id is not n.id or r.state_type is not n.type or r.state_name is not n.name
              or r.state_timestamp is not n.timestamp
           limit 3`,
        )
        .all() as Array<{id: string; state_id: string | null; newest_id: string | null}>;
      for (const row of bad) problems.push(`${run} ${row.id}: state_id ${row.state_id} but newest state ${row.newest_id}`);
    }
    return problems;
  } finally {
    db.close();
  }
}

/**
 * Kill trials until `trials` of them really interrupted the command. Each moment is drawn
 * within the first 80 % of a full run's time, because a trial can run faster than the probe
 * that timed it (the machine's load changes); a kill that lands after the command ended is
 * still checked, but does not count. Gives up after three times as many attempts.
 */
export async function killTrials(options: {
  trials: number;
  fullRunMs: number;
  random: () => number;
  attempt: (trial: number, afterMs: number) => Promise<boolean>;
}): Promise<{interrupted: number; attempts: number}> {
  let interrupted = 0;
  let attempts = 0;
  while (interrupted < options.trials && attempts < options.trials * 3) {
    const afterMs = Math.floor(options.random() * options.fullRunMs * 0.8);
    if (await options.attempt(attempts, afterMs)) interrupted += 1;
    attempts += 1;
  }
  return {interrupted, attempts};
}
