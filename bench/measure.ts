/** Timing helpers shared by the benchmark scripts. */

export interface Timing {
  /** Median milliseconds per operation. */
  medianMs: number;
  meanMs: number;
  iterations: number;
}

/** Runs `operation` `iterations` times after a short warm-up and reports per-call times. */
export async function timeRepeated(iterations: number, operation: (i: number) => unknown | Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < Math.min(5, iterations); i++) await operation(i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await operation(i);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return {
    medianMs: samples[Math.floor(samples.length / 2)],
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    iterations,
  };
}

export function ms(value: number): string {
  // Differences (command − floor) can be negative.
  if (value < 0) return `-${ms(-value)}`;
  return value >= 100 ? `${value.toFixed(0)} ms` : value >= 1 ? `${value.toFixed(2)} ms` : `${(value * 1000).toFixed(0)} µs`;
}

export function ratio(value: number, floor: number): string {
  return floor > 0 ? `${(value / floor).toFixed(2)}×` : 'n/a';
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A plain aligned table for the terminal and the issue note. */
export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  process.stdout.write(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
}
