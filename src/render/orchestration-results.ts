import {stringify} from 'csv-stringify/sync';

import type {OrchestrationResult} from '../services/state-change.js';
import type {RenderOptions} from './options.js';
import {CellFormatter} from './view.js';
import {renderTable} from './table.js';

/**
 * Prints state-change outcomes: JSON shaped like Prefect's OrchestrationResult (one object
 * for one run, an array for several), or for people a table counting outcomes by status,
 * resulting state and reason.
 */
export function renderResults(results: readonly OrchestrationResult[], several: boolean, options: RenderOptions): string {
  if (options.quiet) return results.map((result) => `${result.id}\n`).join('');
  switch (options.format) {
    case 'json':
      return JSON.stringify(several ? results : results[0] ?? null, null, 2) + '\n';
    case 'jsonl':
      return results.map((result) => JSON.stringify(result) + '\n').join('');
    case 'csv':
      return renderCsv(results);
    default:
      return renderCounts(results, options);
  }
}

function renderCounts(results: readonly OrchestrationResult[], options: RenderOptions): string {
  if (results.length === 0) return '';
  const groups = new Map<string, {result: OrchestrationResult; runs: number}>();
  for (const result of results) {
    const key = JSON.stringify([result.status, result.state?.type ?? null, result.state?.name ?? null, result.details.reason ?? null]);
    const group = groups.get(key);
    if (group) group.runs += 1;
    else groups.set(key, {result, runs: 1});
  }
  const format = new CellFormatter(options);
  const rows = [...groups.values()].map(({result, runs}) => [
    result.status,
    format.state(result.state?.type, result.state?.name),
    result.details.reason ?? '',
    runs.toLocaleString('en-US'),
  ]);
  return renderTable(['STATUS', 'STATE', 'REASON', 'RUNS'], rows, options);
}

function renderCsv(results: readonly OrchestrationResult[]): string {
  if (results.length === 0) return '';
  const rows = results.map((result) => [
    result.id,
    result.status,
    result.details.reason ?? '',
    result.details.delay_seconds ?? '',
    result.state?.id ?? '',
    result.state?.type ?? '',
    result.state?.name ?? '',
    result.state?.timestamp ?? '',
  ]);
  return stringify([['id', 'status', 'reason', 'delay_seconds', 'state_id', 'state_type', 'state_name', 'state_timestamp'], ...rows]);
}

const OUTCOME_WORDS = {ACCEPT: 'accepted', REJECT: 'rejected', WAIT: 'told to wait', ABORT: 'aborted'} as const;

/** One stderr line: how many runs got which outcome. */
export function outcomeSummary(results: readonly OrchestrationResult[], noun: string, dryRun: boolean, longestBatchMs: number): string {
  const counts = new Map<string, number>();
  for (const result of results) counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
  const parts = Object.entries(OUTCOME_WORDS).flatMap(([status, word]) => (counts.has(status) ? [`${counts.get(status)!.toLocaleString('en-US')} ${word}`] : []));
  const total = `${results.length.toLocaleString('en-US')} ${results.length === 1 ? noun.replace(/s$/, '') : noun}`;
  // The lock hold tells an operator sharing the file with a live server how long it waited at most.
  const hold = results.length > 0 ? `; longest lock hold ${Math.round(longestBatchMs)} ms` : '';
  return `${total}: ${parts.join(', ') || 'none selected'}${hold}${dryRun ? ' (dry run: nothing was written)' : ''}`;
}
