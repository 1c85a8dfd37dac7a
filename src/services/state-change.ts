import type {Knex} from 'knex';

import {nowIso} from '../db/codecs/instant.js';
import {canonicalJson} from '../db/codecs/json-text.js';
import {newUuid7} from '../db/ids.js';
import type {
  ConcurrencyLimitV1Facts,
  ConcurrencyLimitV2Facts,
  Decision,
  FlowRunFacts,
  OrchestrationDetails,
  OrchestrationEnv,
  OrchestrationStatus,
  PolicyName,
  ProposedState,
  RunColumnChanges,
  RunState,
  StateDetails,
  TaskRunFacts,
} from '../orchestration/contract.js';
import {orchestrateFlowRun, orchestrateTaskRun} from '../orchestration/index.js';
import {storedPolicy} from '../runs/new-run-rows.js';
import type {RepositoryContext, Row} from '../repositories/common.js';
import {type ParentTaskUpdate, type RunDecision, writeDecisions} from '../repositories/decision-writes.js';
import {readFlowRunFacts, readTaskRunFacts} from '../repositories/orchestration-facts.js';
import type {RunKind} from '../repositories/run-states.js';
import {type BatchReport, runInBatches} from './batches.js';
import {OutcomeTally} from './outcome-tally.js';
import type {ProgressListener} from './progress.js';
import type {RunSelection} from './run-selection.js';

/**
 * Changing run states the way Prefect's server does: per batch, read what the engine needs
 * for every run, let the engine decide run by run, write the decisions, and force each
 * changed subflow's state onto its parent task run (through the engine again). All of it in
 * the batch's one transaction.
 */

/** A state as Prefect's REST API returns it in an OrchestrationResult. */
export interface ResultState {
  id: string;
  type: string;
  name: string;
  timestamp: string;
  message: string | null;
  state_details: StateDetails;
  data: unknown;
}

/** One run's outcome, shaped like Prefect's OrchestrationResult. */
export interface OrchestrationResult {
  id: string;
  status: OrchestrationStatus;
  details: OrchestrationDetails;
  state: ResultState | null;
}

/** What to propose to one run, decided from its facts, or why the command refuses to. */
export type Proposal = {proposed: ProposedState; policy: PolicyName} | {refused: string};

type FactsOf<K extends RunKind> = K extends 'flow_run' ? FlowRunFacts : TaskRunFacts;

export interface BatchRequest<K extends RunKind> {
  ctx: RepositoryContext;
  kind: K;
  propose: (facts: FactsOf<K>) => Proposal;
  /** Task runs: the cache key the proposal carries, for the engine's cache lookup. */
  cacheKey?: string | null;
}

export interface BatchOutcome {
  results: OrchestrationResult[];
  /** The runs a new state was written for (accepted, or rejected to another state). */
  writtenIds: Set<string>;
}

export function orchestrationEnv(now: string): OrchestrationEnv {
  return {now, newId: () => newUuid7()};
}

/** Orchestrates one batch of runs inside `trx`; results come in the order of `ids`. */
export async function orchestrateBatch<K extends RunKind>(request: BatchRequest<K>, trx: Knex.Transaction, ids: readonly string[]): Promise<BatchOutcome> {
  const {ctx, kind} = request;
  const now = nowIso();
  const env = orchestrationEnv(now);
  const facts = (
    kind === 'flow_run'
      ? await readFlowRunFacts(ctx, trx, ids, now)
      : await readTaskRunFacts(ctx, trx, ids, now, () => request.cacheKey ?? null)
  ) as Map<string, FactsOf<K>>;
  const ledger = SlotLedger.of([...facts.values()]);
  const results: OrchestrationResult[] = [];
  const decisions: RunDecision[] = [];
  for (const id of ids) {
    const run = facts.get(id);
    if (!run) {
      results.push(refusal(id, `the ${kind === 'flow_run' ? 'flow' : 'task'} run no longer exists`, null));
      continue;
    }
    const proposal = request.propose(run);
    if ('refused' in proposal) {
      results.push(refusal(id, proposal.refused, run.state));
      continue;
    }
    const decision =
      kind === 'flow_run'
        ? orchestrateFlowRun(run as FlowRunFacts, proposal.proposed, proposal.policy, env)
        : orchestrateTaskRun(run as TaskRunFacts, proposal.proposed, proposal.policy, env);
    ledger.apply(decision);
    decisions.push({runId: id, decision: {...decision, columns: changedColumns(decision.columns, run)}});
    results.push(resultOf(id, decision));
  }
  const parentUpdates = await writeDecisions(ctx, trx, kind, decisions, now);
  await forceParentTaskStates(ctx, trx, parentUpdates);
  return {results, writtenIds: new Set(decisions.flatMap(({runId, decision}) => (decision.write ? [runId] : [])))};
}

/**
 * Prefect's UpdateSubflowParentTask: the subflow's new state, forced onto its parent task
 * run (set_task_run_state with force=True, i.e. the minimal task policy). Several subflows
 * can share one parent task run (a retried parent flow reuses it): Prefect forces their
 * states one call after another, so they go in rounds of one update per task run, each
 * round on fresh facts at a later instant, and the batch's last subflow has the last word.
 */
async function forceParentTaskStates(ctx: RepositoryContext, trx: Knex.Transaction, updates: readonly ParentTaskUpdate[]): Promise<void> {
  for (const [index, round] of roundsOfDistinctTaskRuns(updates).entries()) await forceParentTaskRound(ctx, trx, round, index > 0);
}

function roundsOfDistinctTaskRuns(updates: readonly ParentTaskUpdate[]): ParentTaskUpdate[][] {
  const rounds: ParentTaskUpdate[][] = [];
  const seen = new Map<string, number>();
  for (const update of updates) {
    const round = seen.get(update.task_run_id) ?? 0;
    seen.set(update.task_run_id, round + 1);
    (rounds[round] ??= []).push(update);
  }
  return rounds;
}

/** `restamp`: a later round's copies take its own instant, as a later call's fresh copy would. */
async function forceParentTaskRound(ctx: RepositoryContext, trx: Knex.Transaction, updates: readonly ParentTaskUpdate[], restamp: boolean): Promise<void> {
  const now = nowIso();
  const env = orchestrationEnv(now);
  const facts = await readTaskRunFacts(ctx, trx, updates.map((update) => update.task_run_id), now);
  const ledger = SlotLedger.of([...facts.values()]);
  const decisions: RunDecision[] = [];
  for (const update of updates) {
    const run = facts.get(update.task_run_id);
    if (!run) continue;
    const decision = orchestrateTaskRun(run, restamp ? {...update.state, timestamp: now} : update.state, 'minimal', env);
    ledger.apply(decision);
    decisions.push({runId: update.task_run_id, decision: {...decision, columns: changedColumns(decision.columns, run)}});
  }
  await writeDecisions(ctx, trx, 'task_run', decisions, now);
}

export interface StateChangeRun<K extends RunKind> extends BatchRequest<K> {
  selection: RunSelection;
  limit?: number;
  dryRun?: boolean;
  /** Shown with runs done of the selection: "changing flow runs". */
  progressLabel: string;
  onProgress?: ProgressListener;
  /** Runs after each batch's own changes, in its transaction (cancel's child handling). */
  afterBatch?: (trx: Knex.Transaction, outcome: BatchOutcome) => Promise<void>;
  /** Keep every result (JSON output); otherwise only the tally is kept. */
  retainResults?: boolean;
}

export interface StateChangeReport extends BatchReport {
  /** Every run's result, in order, when `retainResults` asked for them. */
  results: OrchestrationResult[];
  tally: OutcomeTally;
}

/** A whole selection through orchestrateBatch, in bounded, resumable batches. */
export async function changeRunStates<K extends RunKind>(request: StateChangeRun<K>): Promise<StateChangeReport> {
  const results: OrchestrationResult[] = [];
  const tally = new OutcomeTally();
  const report = await runInBatches({
    db: request.ctx.db,
    source: request.selection.source,
    limit: request.limit,
    dryRun: request.dryRun,
    progress: request.onProgress && {
      listener: request.onProgress,
      label: request.progressLabel,
      total: Math.min(request.selection.count, request.limit ?? Infinity),
      unit: 'runs',
    },
    // PostgreSQL holds row locks only, so a batch may run longer before it is cut smaller.
    ...(request.ctx.db.dialect === 'postgres' ? {targetBatchMs: 2000} : {}),
    async apply(trx, ids) {
      const outcome = await orchestrateBatch(request, trx, ids);
      await request.afterBatch?.(trx, outcome);
      // A batch may be retried only as a whole; its results count once it committed (or rolled back for a dry run).
      if (request.retainResults) results.push(...outcome.results);
      tally.add(outcome.results);
    },
  });
  return {...report, results, tally};
}

/**
 * The column changes that change something. JSON read from PostgreSQL's jsonb comes back
 * with its keys reordered, and the rules rewrite a policy with plain numbers (0 for a stored
 * 0.0), so a policy rewritten and then restored can look changed to a plain comparison; such
 * a no-op must not touch the row. A policy that did change is stored with its float as Python
 * writes it.
 */
function changedColumns(columns: RunColumnChanges, run: FlowRunFacts | TaskRunFacts): RunColumnChanges {
  const before = run as unknown as Record<string, unknown>;
  const changed: Record<string, unknown> = Object.fromEntries(
    Object.entries(columns).filter(([key, value]) => !(key in before) || canonicalJson(value) !== canonicalJson(before[key])),
  );
  if (changed.empirical_policy) changed.empirical_policy = storedPolicy(changed.empirical_policy as Row);
  return changed as RunColumnChanges;
}

function resultOf(id: string, decision: Decision): OrchestrationResult {
  return {id, status: decision.status, details: decision.details, state: decision.state ? resultState(decision.state) : null};
}

function refusal(id: string, reason: string, current: RunState | null): OrchestrationResult {
  return {id, status: 'ABORT', details: {type: 'abort_details', reason}, state: current ? resultState(current) : null};
}

function resultState(state: RunState): ResultState {
  return {
    id: state.id,
    type: state.type,
    name: state.name,
    timestamp: state.timestamp,
    message: state.message,
    state_details: state.state_details,
    data: state.data ?? null,
  };
}

/**
 * Concurrency limits as the batch's later runs must see them: one engine call's slot
 * effects change the shared limit objects the next run's facts point at, so 500 runs
 * proposed Pending at once cannot all take the last free slot.
 */
class SlotLedger {
  private constructor(
    private readonly v2: Map<string, ConcurrencyLimitV2Facts[]>,
    private readonly v1: Map<string, ConcurrencyLimitV1Facts[]>,
  ) {}

  static of(runs: ReadonlyArray<FlowRunFacts | TaskRunFacts>): SlotLedger {
    const v2 = new Map<string, ConcurrencyLimitV2Facts[]>();
    const v1 = new Map<string, ConcurrencyLimitV1Facts[]>();
    const add = <T>(map: Map<string, T[]>, key: string, value: T) => {
      const list = map.get(key) ?? [];
      if (!list.includes(value)) list.push(value);
      map.set(key, list);
    };
    for (const run of runs) {
      if ('deployment' in run && run.deployment?.global_concurrency_limit) add(v2, run.deployment.global_concurrency_limit.id, run.deployment.global_concurrency_limit);
      if ('v2_limits' in run) for (const limit of run.v2_limits) add(v2, limit.id, limit);
      if ('v1_limits' in run) for (const limit of run.v1_limits) add(v1, limit.tag, limit);
    }
    return new SlotLedger(v2, v1);
  }

  apply(decision: Decision): void {
    for (const effect of decision.effects) {
      if (effect.kind === 'concurrency_limit_v2_slots') {
        for (const limit of this.v2.get(effect.limit_id) ?? []) {
          if (!limit.active) continue;
          limit.active_slots = effect.delta > 0 ? Math.min(limit.limit, limit.active_slots + 1) : Math.max(0, limit.active_slots - 1);
        }
      } else if (effect.kind === 'concurrency_limit_v1_slot') {
        for (const limit of this.v1.get(effect.tag) ?? []) {
          const others = limit.active_slots.filter((id) => id !== effect.task_run_id);
          limit.active_slots = effect.action === 'take' ? [...others, effect.task_run_id] : others;
        }
      }
    }
  }
}
