/**
 * Bulk set-state benchmark (issues 6 and 14): `prefectdb flow-run set-state --all --limit N
 * --state-type CANCELLED --force` on N runs against a floor of bare-driver SQL making the same
 * row changes on the next N runs of the same database, in the same run (bench/state-bench.ts).
 *
 *   node --import tsx bench/state-change.ts
 *
 * Settings: BENCH_STATE_RUNS (100000) runs per side on SQLite, BENCH_PG_STATE_RUNS (100000) on
 * PostgreSQL, 0 skips a dialect; the database: see bench/bulk-target.ts.
 */
import {envNumber} from './bulk-target.js';
import {runStateBench} from './state-bench.js';

await runStateBench({
  bench: 'state',
  title: 'Bulk set-state (forced Cancelled)',
  command: ['flow-run', 'set-state', '--all', '--state-type', 'CANCELLED', '--force'],
  floor: {cancelChildren: false},
  runs: {sqlite: envNumber('BENCH_STATE_RUNS', 100_000), postgres: envNumber('BENCH_PG_STATE_RUNS', 100_000)},
});
