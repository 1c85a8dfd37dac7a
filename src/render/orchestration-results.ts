import {jsonText} from '../db/codecs/json-text.js';
import {stringify} from 'csv-stringify/sync';

import type {OutcomeTally} from '../services/outcome-tally.js';
import type {OrchestrationResult} from '../services/state-change.js';
import type {StateIntent} from '../services/state-intent.js';
import type {RenderOptions} from './options.js';
import {CellFormatter} from './cell-format.js';
import {renderTable} from './table.js';

/** Whether the output needs every result, or only the outcome counts (the table form). */
export function needsEveryResult(options: RenderOptions): boolean {
  return options.quiet || options.format !== 'table';
}

/**
 * Prints state-change outcomes: JSON shaped like Prefect's OrchestrationResult (one object
 * for one run, an array for several), or for people a table counting outcomes by status,
 * resulting state and reason.
 */
export function renderResults(results: readonly OrchestrationResult[], tally: OutcomeTally, several: boolean, options: RenderOptions): string {
  if (options.quiet) return results.map((result) => `${result.id}\n`).join('');
  switch (options.format) {
    case 'json':
      return jsonText(several ? results : results[0] ?? null, 2) + '\n';
    case 'jsonl':
      return results.map((result) => jsonText(result) + '\n').join('');
    case 'csv':
      return renderCsv(results);
    default:
      return renderCounts(tally, options);
  }
}

function renderCounts(tally: OutcomeTally, options: RenderOptions): string {
  if (tally.total === 0) return '';
  const format = new CellFormatter(options);
  const rows = tally.outcomeGroups.map((group) => [
    group.status,
    format.state(group.stateType, group.stateName),
    group.reason ?? '',
    group.runs.toLocaleString('en-US'),
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
export function outcomeSummary(tally: OutcomeTally, noun: string, dryRun: boolean, longestBatchMs: number, intent: StateIntent): string {
  const parts = Object.entries(OUTCOME_WORDS).flatMap(([status, word]) => (tally.count(status) ? [`${tally.count(status).toLocaleString('en-US')} ${word}`] : []));
  const total = `${tally.total.toLocaleString('en-US')} ${tally.total === 1 ? noun.replace(/s$/, '') : noun}`;
  // The lock hold tells an operator sharing the file with a live server how long it waited at most.
  const hold = tally.total > 0 ? `; longest lock hold ${Math.round(longestBatchMs)} ms` : '';
  const missed = tally.missed(intent);
  const ended = missed === 0 ? `all ${dryRun ? 'would end' : 'ended'} ${intent.label}` : `${missed.toLocaleString('en-US')} ${dryRun ? 'would not end' : 'did not end'} ${intent.label}`;
  return `${total}: ${parts.join(', ') || 'none selected'}; ${ended}${hold}${dryRun ? ' (dry run: nothing was written)' : ''}`;
}
