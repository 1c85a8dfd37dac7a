import {jsonText} from '../db/codecs/json-text.js';
import {Flags, type Command} from '@oclif/core';

import {BaseCommand} from '../base-command.js';
import type {RunDeletionResult, RunKind} from '../services/run-deletion.js';
import {selectionFlags} from './selection-flags.js';
import {writeFlags} from './write-flags.js';

/** Flags shared by `flow-run delete` and `task-run delete` (beside each one's run filters). */
export const runDeleteFlags = {
  ...writeFlags,
  ...selectionFlags,
  'keep-subflows': Flags.boolean({description: "keep subflow runs (Prefect's behaviour: they become top-level runs) instead of deleting them too"}),
};

const NOUN: Record<RunKind, string> = {flow_run: 'flow run', task_run: 'task run'};

/**
 * What both run deletes do: select (ids, stdin, filters or --all), confirm, delete in batches
 * through services/run-deletion.ts, print one result per run (table form: totals per table).
 */
export abstract class RunDeleteCommand<T extends typeof Command> extends BaseCommand<T> {
  protected async deleteSelected(kind: RunKind, select: (ctx: import('../repositories/common.js').RepositoryContext) => Promise<import('../services/run-selection.js').RunSelection>): Promise<void> {
    const {repositoryContext} = await import('../repositories/common.js');
    const {deleteRuns} = await import('../services/run-deletion.js');
    const flags = this.flags as {limit?: number; 'keep-subflows'?: boolean; 'dry-run'?: boolean};
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const selection = await select(ctx);
    const count = flags.limit === undefined ? selection.count : Math.min(selection.count, flags.limit);
    const noun = `${NOUN[kind]}${count === 1 ? '' : 's'}`;
    if (count === 0) return this.reportNothingSelected(`${NOUN[kind]}s`);
    const what = flags['keep-subflows'] ? 'their task runs, states, logs and artifacts' : 'their subflow runs, task runs, states, logs and artifacts';
    const {sampleLines} = await import('./selection-sample.js');
    await this.confirm(`Delete ${count.toLocaleString('en-US')} ${noun} with ${what}?`, sampleLines(selection.sample, count, `${NOUN[kind]}s`));
    const report = await deleteRuns(ctx, selection.source, {
      kind,
      keepSubflows: Boolean(flags['keep-subflows']),
      dryRun: Boolean(flags['dry-run']),
      limit: flags.limit,
      progress: {label: `${flags['dry-run'] ? 'checking' : 'deleting'} ${NOUN[kind]}s`, total: count, listener: await this.progressListener()},
    });
    this.clearProgress();
    await this.printResults(report.runs, selection.byIds && this.positionals.length === 1 && this.positionals[0] !== '-');
    if (!this.flags.quiet) {
      const verb = flags['dry-run'] ? 'Would delete' : 'Deleted';
      process.stderr.write(
        `${verb} ${report.runs.length.toLocaleString('en-US')} ${NOUN[kind]}${report.runs.length === 1 ? '' : 's'} in ${report.batches.batches} batch(es); longest lock hold ${Math.round(report.batches.longestBatchMs)} ms${flags['dry-run'] ? ' (dry run: nothing written)' : ''}\n`,
      );
    }
  }

  private async printResults(results: RunDeletionResult[], single: boolean): Promise<void> {
    const {totalsOf} = await import('../services/run-deletion.js');
    if (this.outputFormat === 'json' && single && results.length === 1 && !this.flags.quiet) {
      this.writeStdout(jsonText(results[0], 2) + '\n');
      return;
    }
    if (this.outputFormat === 'table' && !this.flags.quiet) {
      const totals = totalsOf(results);
      const rows = Object.entries(totals)
        .filter(([table]) => table !== 'updated')
        .map(([table, deleted]) => ({table, deleted: deleted as number, updated: (totals.updated as Record<string, number>)[table] ?? 0}));
      rows.push({table: 'concurrency_limit_v2', deleted: 0, updated: totals.updated.concurrency_limit_v2});
      return this.printList({
        noun: 'tables',
        rows,
        columns: [
          {header: 'TABLE', key: 'table', cell: (r) => r.table},
          {header: 'DELETED', key: 'deleted', cell: (r) => r.deleted.toLocaleString('en-US')},
          {header: 'UPDATED', key: 'updated', cell: (r) => r.updated.toLocaleString('en-US')},
        ],
      });
    }
    return this.printList({noun: 'runs', rows: results, columns: [], idKey: 'id'});
  }
}
