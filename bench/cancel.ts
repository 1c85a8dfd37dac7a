/**
 * Bulk cancel benchmark (issue 14): `prefectdb flow-run cancel --all --limit N --force-cancelled`
 * on N runs — a forced Cancelled for each, then the cleanup service's pass over the children
 * (non-terminal task runs forced to Cancelled, active subflows) — against a floor of bare-driver
 * SQL making the same changes on the next N runs of the same database, in the same run.
 *
 *   node --import tsx bench/cancel.ts
 *
 * Settings: BENCH_CANCEL_RUNS (100000) runs per side on SQLite, BENCH_PG_CANCEL_RUNS (100000) on
 * PostgreSQL, 0 skips a dialect; the database: see bench/bulk-target.ts.
 */
import {envNumber} from './bulk-target.js';
import {runStateBench} from './state-bench.js';

await runStateBench({
  bench: 'cancel',
  title: 'Bulk cancel (forced Cancelled, children cancelled)',
  command: ['flow-run', 'cancel', '--all', '--force-cancelled'],
  floor: {cancelChildren: true},
  runs: {sqlite: envNumber('BENCH_CANCEL_RUNS', 100_000), postgres: envNumber('BENCH_PG_CANCEL_RUNS', 100_000)},
});
