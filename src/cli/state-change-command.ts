import type {Command} from '@oclif/core';
import type {Knex} from 'knex';

import {BaseCommand} from '../base-command.js';
import type {RepositoryContext} from '../repositories/common.js';
import type {FlowRunFilter} from '../repositories/flow-runs.js';
import type {RunKind} from '../repositories/run-states.js';
import type {TaskRunFilter} from '../repositories/task-runs.js';
import type {BatchOutcome, BatchRequest} from '../services/state-change.js';
import type {StateIntent} from '../services/state-intent.js';
import type {WriteFlagValues} from './write-flags.js';

export interface StateChangeOptions<K extends RunKind> {
  kind: K;
  filter: K extends 'flow_run' ? FlowRunFilter : TaskRunFilter;
  all?: boolean;
  limit?: number;
  /** The confirmation question for a selection by filter, given how many runs it holds. */
  question: (count: number) => string;
  propose: BatchRequest<K>['propose'];
  /** Said on stderr once there are runs to change. */
  notice?: string;
  /** Where the runs should end: the exit code is 0 when every one did. */
  intent: StateIntent;
  cacheKey?: string | null;
  /** Work after each batch, in its transaction (cancel's child handling). */
  afterBatch?: (ctx: RepositoryContext, trx: Knex.Transaction, outcome: BatchOutcome) => Promise<void>;
}

/**
 * What set-state, cancel, retry and mark-late share: ids (or "-") or a filter select the
 * runs; a selection by filter is confirmed; batches run through the engine; results print
 * as Prefect's OrchestrationResult; exit 4 when any run did not end where the command meant it to.
 */
export abstract class StateChangeCommand<T extends typeof Command> extends BaseCommand<T> {
  protected async changeStates<K extends RunKind>(options: StateChangeOptions<K>): Promise<void> {
    const {repositoryContext} = await import('../repositories/common.js');
    const {selectFlowRuns, selectTaskRuns} = await import('../services/run-selection.js');
    const {changeRunStates} = await import('../services/state-change.js');
    const {needsEveryResult, outcomeSummary, renderResults} = await import('../render/orchestration-results.js');
    const flags = this.flags as WriteFlagValues;
    const {ids, several, fromStdin} = await this.requestedIds();
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const request = {ids, fromStdin, filter: options.filter, all: options.all, limit: options.limit};
    const selection =
      options.kind === 'flow_run'
        ? await selectFlowRuns(ctx, request as Parameters<typeof selectFlowRuns>[1])
        : await selectTaskRuns(ctx, request as Parameters<typeof selectTaskRuns>[1]);
    const count = Math.min(selection.count, options.limit ?? Infinity);
    const noun = options.kind === 'flow_run' ? 'flow runs' : 'task runs';
    if (count === 0) return this.reportNothingSelected(noun);
    if (options.notice) process.stderr.write(`${options.notice}\n`);
    if (!selection.byIds) {
      const {sampleLines} = await import('./selection-sample.js');
      await this.confirm(options.question(count), sampleLines(selection.sample, count, noun));
    }
    const report = await changeRunStates({
      ctx,
      kind: options.kind,
      propose: options.propose,
      cacheKey: options.cacheKey,
      selection,
      limit: options.limit,
      dryRun: flags['dry-run'],
      progressLabel: flags['dry-run'] ? `checking ${noun}` : `changing ${noun}`,
      onProgress: await this.progressListener(),
      afterBatch: options.afterBatch && ((trx, outcome) => options.afterBatch!(ctx, trx, outcome)),
      retainResults: needsEveryResult(this.renderOptions),
    });
    this.clearProgress();
    this.writeStdout(renderResults(report.results, report.tally, several || !selection.byIds, this.renderOptions));
    if (!this.flags.quiet) process.stderr.write(outcomeSummary(report.tally, noun, Boolean(flags['dry-run']), report.longestBatchMs, options.intent) + '\n');
    if (report.tally.missed(options.intent) > 0) this.exit(4);
  }
}
