import type {SeedResult} from './seed-database.js';

const number = (value: number) => value.toLocaleString('en-US');

/** The human summary for stderr: rows per table, elapsed time and throughput. */
export function formatSeedSummary(result: SeedResult): string {
  const entries = Object.entries(result.tables);
  const width = Math.max(...entries.map(([table]) => table.length), 5);
  const countWidth = Math.max(...entries.map(([, count]) => number(count).length), number(result.rows).length);
  const lines = [
    `${result.initialised ? 'created the schema and seeded' : result.appended ? 'appended to' : 'seeded'} ${result.database} (${result.dialect}, --seed ${result.seed}, as of ${result.now})`,
    ...entries.map(([table, count]) => `  ${table.padEnd(width)}  ${number(count).padStart(countWidth)}`),
    `  ${'total'.padEnd(width)}  ${number(result.rows).padStart(countWidth)} rows in ${result.elapsed_seconds.toFixed(1)} s (${number(result.rows_per_second)} rows/s)`,
  ];
  return lines.join('\n') + '\n';
}
