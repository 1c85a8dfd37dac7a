import {timedCli, type TimedRun} from './cli.js';
import {type BulkTarget, onEachDialect} from './bulk-target.js';
import {count, printTable, ratio} from './measure.js';
import {type FloorRun, postgresStateFloor, type StateFloorOptions, sqliteStateFloor} from './state-change-floor.js';

/**
 * What the set-state and cancel benches share: prefectdb changes the first N runs in id order
 * (a child process: start-up, engine, batches), then the floor makes the same row changes
 * through the bare driver on the next N runs of the same database, in the same run.
 */

export interface StateBench {
  bench: string;
  title: string;
  /** The command and its flags, without --limit and --db. */
  command: string[];
  floor: StateFloorOptions;
  runs: {sqlite: number; postgres: number};
}

// The lock budgets the commands size their batches for (changeRunStates in src/services/state-change.ts).
const TARGET_MS = {SQLite: 500, PostgreSQL: 2000};

export async function runStateBench(spec: StateBench): Promise<void> {
  await onEachDialect(spec.bench, spec.runs, async (target, runs) => {
    const ids = await target.firstIds(2 * runs);
    process.stderr.write(`${target.label}: prefectdb changes ${count(runs)} runs, then the floor the next ${count(runs)} …\n`);
    const cli = await timedCli([...spec.command, '--limit', String(runs), '--yes', '-o', 'table', '--db', target.url]);
    const floorIds = ids.slice(runs, 2 * runs);
    const floor = target.url.startsWith('postgres') ? await postgresStateFloor(target.url, floorIds, spec.floor) : await sqliteStateFloor(target.url, floorIds, spec.floor);
    printTable(`${spec.title}, ${target.label}; slower by = floor rate / prefectdb rate, target ≤ 2×`, HEADER, rows(target, runs, cli, floor));
  });
}

const HEADER = ['', 'runs', 'wall', 'runs/s', 'slower by', 'CPU', 'CPU ratio', 'longest lock (target)', 'peak RSS'];

function rows(target: BulkTarget, runs: number, cli: TimedRun, floor: FloorRun): string[][] {
  const rate = (ms: number) => runs / (ms / 1000);
  const sqlite = !target.url.startsWith('postgres');
  const budget = TARGET_MS[sqlite ? 'SQLite' : 'PostgreSQL'];
  // On PostgreSQL most of the work is the server's: client CPU says little, so it is left out.
  const cpu = (ms: number) => (sqlite ? `${(ms / 1000).toFixed(1)} s` : '');
  return [
    ['prefectdb (start-up, engine, batches)', count(runs), `${(cli.ms / 1000).toFixed(1)} s`, count(rate(cli.ms)), ratio(rate(floor.ms), rate(cli.ms)), cpu(cli.cpuMs), sqlite ? ratio(cli.cpuMs, floor.cpuMs) : '', `${cli.longestLockMs ?? '?'} ms (${budget})`, `${cli.peakRssMb.toFixed(0)} MB`],
    ['floor, bare driver, same row changes', count(runs), `${(floor.ms / 1000).toFixed(1)} s`, count(rate(floor.ms)), '1.00×', cpu(floor.cpuMs), sqlite ? '1.00×' : '', `${floor.longestLockMs.toFixed(0)} ms`, ''],
  ];
}
