import type {RunSample} from '../repositories/run-samples.js';

/**
 * A bulk confirmation's look at what a filter selected: the first runs by name, flow and state,
 * then how many more — so a filter that caught the wrong runs is seen before anything changes.
 */
export function sampleLines(sample: readonly RunSample[], total: number, noun: string): string[] {
  if (sample.length === 0) return [];
  const lines = [`Selected ${total.toLocaleString('en-US')} ${noun}; ${sample.length === total ? 'all of them' : `the first ${sample.length}`}:`];
  for (const run of sample) {
    const where = [run.flow_name, run.name].filter(Boolean).join(' / ');
    lines.push(`  ${run.id}  ${where}  ${run.state_name ?? '(no state)'}`);
  }
  if (total > sample.length) lines.push(`  … and ${(total - sample.length).toLocaleString('en-US')} more`);
  return lines;
}
