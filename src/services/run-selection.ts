import {usageError} from '../errors.js';
import {resolveId, type RepositoryContext} from '../repositories/common.js';
import {flowRunIdPages, type FlowRunFilter} from '../repositories/flow-runs.js';
import {readRunSamples, type RunSample} from '../repositories/run-samples.js';
import {taskRunIdPages, type TaskRunFilter} from '../repositories/task-runs.js';
import {type BatchSource, keysetSource, listSource} from './batches.js';

/**
 * Which runs a bulk command works on: ids (full or unique prefixes, from the command line or
 * stdin), or a filter, or every run with `--all`. A selection by filter is re-read batch by
 * batch, so a run changed meanwhile is seen as it is then.
 */
export interface RunSelectionRequest<F> {
  ids: readonly string[];
  filter: F;
  all?: boolean;
  /** Cap on the number of runs taken. */
  limit?: number;
  /** Ids were asked for on stdin ("-"): none there is an empty selection, not a missing one. */
  fromStdin?: boolean;
}

export interface RunSelection {
  source: BatchSource<string>;
  /** How many runs the selection holds now (before --limit). */
  count: number;
  byIds: boolean;
  /** The first few runs of a selection by filter (in id order), for the confirmation to name. */
  sample: RunSample[];
}

const SAMPLE_SIZE = 5;

type Kind = 'flow_run' | 'task_run';
const NOUN: Record<Kind, string> = {flow_run: 'flow run', task_run: 'task run'};

export async function selectFlowRuns(ctx: RepositoryContext, request: RunSelectionRequest<FlowRunFilter>): Promise<RunSelection> {
  return select(ctx, 'flow_run', request, () => flowRunIdPages(ctx, request.filter));
}

export async function selectTaskRuns(ctx: RepositoryContext, request: RunSelectionRequest<TaskRunFilter>): Promise<RunSelection> {
  return select(ctx, 'task_run', request, () => taskRunIdPages(ctx, request.filter));
}

async function select<F extends object>(
  ctx: RepositoryContext,
  kind: Kind,
  request: RunSelectionRequest<F>,
  pages: () => Promise<{page: Parameters<typeof keysetSource<string>>[0]; count: () => Promise<number>}>,
): Promise<RunSelection> {
  const hasFilter = Object.keys(request.filter).length > 0;
  if (request.ids.length > 0 || request.fromStdin) {
    if (hasFilter || request.all) throw usageError(`give ${NOUN[kind]} ids or filters, not both`);
    const ids: string[] = [];
    const seen = new Set<string>();
    for (const input of request.ids) {
      const id = await resolveId(ctx, kind, input, NOUN[kind]);
      if (!seen.has(id)) ids.push(id), seen.add(id);
    }
    return {source: listSource(ids), count: ids.length, byIds: true, sample: []};
  }
  if (!hasFilter && !request.all) {
    throw usageError(`no ${NOUN[kind]}s selected: give ids (or - to read them from stdin), a filter such as --state-type, or --all for every ${NOUN[kind]}`);
  }
  const {page, count} = await pages();
  // A plain read outside the batches' transactions: the sample is only shown, never acted on.
  const first = await page(ctx.db.knex as Parameters<typeof page>[0], undefined, Math.min(SAMPLE_SIZE, request.limit ?? SAMPLE_SIZE));
  return {source: keysetSource(page, (id) => id), count: await count(), byIds: false, sample: await readRunSamples(ctx, kind, first)};
}
