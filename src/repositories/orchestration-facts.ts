import {withPlainNumbers} from '../db/codecs/json-text.js';
import type {
  ConcurrencyLimitV1Facts,
  ConcurrencyLimitV2Facts,
  DeploymentConcurrencyFacts,
  FlowRunFacts,
  RunState,
  StateDetails,
  StateType,
  TaskRunFacts,
} from '../orchestration/contract.js';
import {whereIdIn} from '../db/sql-dialect.js';
import {findColumn} from '../schema/head.js';
import {type Db, decodeRow, existingColumns, type RepositoryContext, type Row} from './common.js';
import {LOOKUP_CHUNK, type RunKind} from './run-states.js';

/**
 * What the orchestration engine needs to know about a batch of runs, read inside the batch's
 * write transaction in a handful of queries per batch (one per table, chunked by id), never
 * one query per run.
 */

const RUN_COLUMNS = ['id', 'state_id', 'run_count', 'start_time', 'end_time', 'total_run_time', 'expected_start_time', 'next_scheduled_start_time', 'empirical_policy'];
const FLOW_RUN_COLUMNS = [...RUN_COLUMNS, 'flow_id', 'deployment_id', 'parent_task_run_id', 'infrastructure_pid'];
const TASK_RUN_COLUMNS = [...RUN_COLUMNS, 'flow_run_id', 'tags', 'flow_run_run_count'];
const STATE_COLUMNS = ['id', 'type', 'name', 'timestamp', 'message', 'state_details', 'data', 'result_artifact_id'];

export async function readFlowRunFacts(ctx: RepositoryContext, db: Db, ids: readonly string[], now: string): Promise<Map<string, FlowRunFacts>> {
  const runs = await readByIds(ctx, db, 'flow_run', existingColumns(ctx, 'flow_run', FLOW_RUN_COLUMNS), 'id', ids, {lock: true});
  const states = await readStatesByIds(ctx, db, 'flow_run', runs.map((run) => run.state_id as string | null));
  const timestamps = await readStateTimestamps(ctx, db, 'flow_run', ids);
  const deploymentIds = runs.flatMap((run) => (run.deployment_id ? [run.deployment_id as string] : []));
  const deployments = await readDeploymentConcurrency(ctx, db, deploymentIds, now);
  const facts = new Map<string, FlowRunFacts>();
  for (const run of runs) {
    const id = run.id as string;
    const deploymentId = (run.deployment_id as string | null) ?? null;
    facts.set(id, {
      ...runColumns(run),
      id,
      flow_id: run.flow_id as string,
      deployment_id: deploymentId,
      parent_task_run_id: (run.parent_task_run_id as string | null) ?? null,
      infrastructure_pid: (run.infrastructure_pid as string | null) ?? null,
      state: stateOf(states, run),
      state_timestamps: timestamps.get(id) ?? [],
      deployment: deploymentId ? (deployments.get(deploymentId) ?? null) : null,
    });
  }
  return facts;
}

/**
 * `cacheKeyOf` names, per task run, the cache key of the state about to be proposed: the
 * engine's CacheRetrieval looks the key up, so the newest unexpired entry is read here.
 */
export async function readTaskRunFacts(
  ctx: RepositoryContext,
  db: Db,
  ids: readonly string[],
  now: string,
  cacheKeyOf: (taskRunId: string) => string | null = () => null,
): Promise<Map<string, TaskRunFacts>> {
  const runs = await readByIds(ctx, db, 'task_run', existingColumns(ctx, 'task_run', TASK_RUN_COLUMNS), 'id', ids, {lock: true});
  const states = await readStatesByIds(ctx, db, 'task_run', runs.map((run) => run.state_id as string | null));
  const flowRunIds = runs.flatMap((run) => (run.flow_run_id ? [run.flow_run_id as string] : []));
  const flowRuns = await readByIds(ctx, db, 'flow_run', ['id', 'run_count', 'state_id'], 'id', flowRunIds);
  const flowRunStates = await readStatesByIds(ctx, db, 'flow_run', flowRuns.map((run) => run.state_id as string | null));
  const flowRunById = new Map(flowRuns.map((run) => [run.id as string, run]));
  const tags = [...new Set(runs.flatMap((run) => tagsOf(run)))];
  const v1Limits = await readV1Limits(ctx, db, tags);
  const v2Limits = await readV2Limits(ctx, db, tags.map((tag) => `tag:${tag}`), now);
  const cacheKeys = new Map(runs.flatMap((run) => {
    const key = cacheKeyOf(run.id as string);
    return key ? [[run.id as string, key] as const] : [];
  }));
  const cached = await readCachedStates(ctx, db, [...new Set(cacheKeys.values())], now);
  const facts = new Map<string, TaskRunFacts>();
  for (const run of runs) {
    const id = run.id as string;
    const runTags = tagsOf(run);
    const flowRun = run.flow_run_id ? flowRunById.get(run.flow_run_id as string) : undefined;
    const cacheKey = cacheKeys.get(id);
    facts.set(id, {
      ...runColumns(run),
      id,
      flow_run_id: (run.flow_run_id as string | null) ?? null,
      tags: runTags,
      flow_run_run_count: Number(run.flow_run_run_count ?? 0),
      state: stateOf(states, run),
      flow_run: flowRun ? {id: flowRun.id as string, run_count: Number(flowRun.run_count ?? 0), state: stateOf(flowRunStates, flowRun)} : null,
      v1_limits: runTags.flatMap((tag) => v1Limits.get(tag) ?? []),
      v2_limits: runTags.flatMap((tag) => v2Limits.get(`tag:${tag}`) ?? []),
      cached_state: cacheKey ? (cached.get(cacheKey) ?? null) : null,
    });
  }
  return facts;
}

function runColumns(run: Row) {
  return {
    run_count: Number(run.run_count ?? 0),
    start_time: (run.start_time as string | null) ?? null,
    end_time: (run.end_time as string | null) ?? null,
    total_run_time: Number(run.total_run_time ?? 0),
    expected_start_time: (run.expected_start_time as string | null) ?? null,
    next_scheduled_start_time: (run.next_scheduled_start_time as string | null) ?? null,
    empirical_policy: (run.empirical_policy as Record<string, unknown> | null) ?? {},
  };
}

function tagsOf(run: Row): string[] {
  return Array.isArray(run.tags) ? (run.tags as unknown[]).filter((tag): tag is string => typeof tag === 'string') : [];
}

function stateOf(states: Map<string, RunState>, run: Row): RunState | null {
  return run.state_id ? (states.get(run.state_id as string) ?? null) : null;
}

/**
 * Decoded rows of `table` whose `column` is one of `values`, in chunks under the bind limits
 * (ids as one array parameter on PostgreSQL, which plans a list of 500 parameters slowly).
 * `lock` takes the rows' locks on PostgreSQL, as the server reads a run FOR UPDATE before
 * changing its state (SQLite's BEGIN IMMEDIATE already holds the whole file).
 */
async function readByIds(ctx: RepositoryContext, db: Db, table: string, columns: readonly string[], column: string, values: readonly string[], {lock = false} = {}): Promise<Row[]> {
  const unique = [...new Set(values)];
  const rows: Row[] = [];
  for (let start = 0; start < unique.length; start += LOOKUP_CHUNK) {
    const chunk = unique.slice(start, start + LOOKUP_CHUNK);
    const query = db(table).select(columns);
    if (findColumn(table, column)?.type === 'uuid') query.where((q) => whereIdIn(q, column, chunk));
    else query.whereIn(column, chunk);
    if (lock && ctx.db.dialect === 'postgres') query.forUpdate();
    for (const raw of (await query) as Row[]) rows.push(decodeRow(ctx, table, raw));
  }
  return rows;
}

/**
 * State rows by id, with the data Prefect's ORM reports for them: the row's own `data`, or
 * else its result artifact's.
 */
async function readStatesByIds(ctx: RepositoryContext, db: Db, kind: RunKind, stateIds: ReadonlyArray<string | null>): Promise<Map<string, RunState>> {
  const table = `${kind}_state`;
  const rows = await readByIds(ctx, db, table, existingColumns(ctx, table, STATE_COLUMNS), 'id', stateIds.filter((id): id is string => Boolean(id)));
  return statesWithData(ctx, db, rows);
}

async function statesWithData(ctx: RepositoryContext, db: Db, rows: Row[]): Promise<Map<string, RunState>> {
  const artifactIds = rows.flatMap((row) => (row.data == null && row.result_artifact_id ? [row.result_artifact_id as string] : []));
  const artifacts = await readByIds(ctx, db, 'artifact', ['id', 'data'], 'id', artifactIds);
  const artifactData = new Map(artifacts.map((artifact) => [artifact.id as string, artifact.data]));
  const states = new Map<string, RunState>();
  for (const row of rows) {
    const artifactId = (row.result_artifact_id as string | null) ?? null;
    states.set(row.id as string, {
      id: row.id as string,
      type: row.type as StateType,
      name: row.name as string,
      timestamp: row.timestamp as string,
      message: (row.message as string | null) ?? null,
      state_details: (row.state_details as StateDetails | null) ?? ({} as StateDetails),
      data: row.data ?? (artifactId ? (artifactData.get(artifactId) ?? null) : null),
      result_artifact_id: artifactId,
    });
  }
  return states;
}

/** Every state timestamp of each run: the engine bumps a colliding new timestamp past them. */
async function readStateTimestamps(ctx: RepositoryContext, db: Db, kind: RunKind, runIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await readByIds(ctx, db, `${kind}_state`, [`${kind}_id`, 'timestamp'], `${kind}_id`, runIds);
  const byRun = new Map<string, string[]>();
  for (const row of rows) {
    const runId = row[`${kind}_id`] as string;
    let list = byRun.get(runId);
    if (!list) byRun.set(runId, (list = []));
    list.push(row.timestamp as string);
  }
  return byRun;
}

/**
 * Each deployment's concurrency settings and the limit row they point at. Revisions before
 * deployment concurrency limits read as "no limit".
 */
async function readDeploymentConcurrency(ctx: RepositoryContext, db: Db, deploymentIds: readonly string[], now: string): Promise<Map<string, DeploymentConcurrencyFacts>> {
  const columns = existingColumns(ctx, 'deployment', ['id', 'concurrency_limit_id', 'concurrency_options']);
  const rows = await readByIds(ctx, db, 'deployment', columns, 'id', deploymentIds);
  const limitIds = rows.flatMap((row) => (row.concurrency_limit_id ? [row.concurrency_limit_id as string] : []));
  const limits = ctx.schema.hasTable('concurrency_limit_v2') ? await readV2LimitRows(ctx, db, 'id', limitIds, now) : [];
  const limitById = new Map(limits.map((limit) => [limit.id, limit]));
  const deployments = new Map<string, DeploymentConcurrencyFacts>();
  for (const row of rows) {
    const limitId = (row.concurrency_limit_id as string | null) ?? null;
    deployments.set(row.id as string, {
      id: row.id as string,
      concurrency_limit_id: limitId,
      concurrency_options: (withPlainNumbers(row.concurrency_options) as DeploymentConcurrencyFacts['concurrency_options']) ?? null,
      global_concurrency_limit: limitId ? (limitById.get(limitId) ?? null) : null,
    });
  }
  return deployments;
}

async function readV2Limits(ctx: RepositoryContext, db: Db, names: readonly string[], now: string): Promise<Map<string, ConcurrencyLimitV2Facts>> {
  if (names.length === 0 || !ctx.schema.hasTable('concurrency_limit_v2')) return new Map();
  const limits = await readV2LimitRows(ctx, db, 'name', names, now);
  return new Map(limits.map((limit) => [limit.name, limit]));
}

/** Active slots are reported after Prefect's slot decay (rate limits decay; plain limits do not). */
async function readV2LimitRows(ctx: RepositoryContext, db: Db, column: 'id' | 'name', values: readonly string[], now: string): Promise<ConcurrencyLimitV2Facts[]> {
  const columns = existingColumns(ctx, 'concurrency_limit_v2', ['id', 'name', 'limit', 'active_slots', 'active', 'avg_slot_occupancy_seconds', 'slot_decay_per_second', 'updated']);
  const rows = await readByIds(ctx, db, 'concurrency_limit_v2', columns, column, values);
  return rows.map((row) => {
    const decayPerSecond = Number(row.slot_decay_per_second ?? 0);
    const elapsed = row.updated ? Math.max(0, (Date.parse(now) - Date.parse(row.updated as string)) / 1000) : 0;
    const decayed = decayPerSecond > 0 ? Math.floor(decayPerSecond * elapsed) : 0;
    return {
      id: row.id as string,
      name: row.name as string,
      limit: Number(row.limit),
      active_slots: Math.max(0, Number(row.active_slots ?? 0) - decayed),
      active: Boolean(row.active),
      avg_slot_occupancy_seconds: row.avg_slot_occupancy_seconds == null ? null : Number(row.avg_slot_occupancy_seconds),
    };
  });
}

async function readV1Limits(ctx: RepositoryContext, db: Db, tags: readonly string[]): Promise<Map<string, ConcurrencyLimitV1Facts>> {
  if (tags.length === 0 || !ctx.schema.hasTable('concurrency_limit')) return new Map();
  const rows = await readByIds(ctx, db, 'concurrency_limit', ['tag', 'concurrency_limit', 'active_slots'], 'tag', tags);
  return new Map(rows.map((row) => [row.tag as string, {
    tag: row.tag as string,
    concurrency_limit: Number(row.concurrency_limit),
    active_slots: Array.isArray(row.active_slots) ? (row.active_slots as string[]) : [],
  }]));
}

/** The newest unexpired cache entry's state per key (Prefect's CacheRetrieval lookup). */
async function readCachedStates(ctx: RepositoryContext, db: Db, keys: readonly string[], now: string): Promise<Map<string, RunState>> {
  if (keys.length === 0 || !ctx.schema.hasTable('task_run_state_cache')) return new Map();
  const entries: Row[] = (
    await db('task_run_state_cache')
      .select(['cache_key', 'task_run_state_id', 'created'])
      .whereIn('cache_key', [...keys])
      .where((unexpired) => unexpired.whereNull('cache_expiration').orWhere('cache_expiration', '>', ctx.db.codec.encodeTimestamp(now)))
  ).map((raw: Row) => decodeRow(ctx, 'task_run_state_cache', raw));
  const newest = new Map<string, Row>();
  for (const entry of entries) {
    const seen = newest.get(entry.cache_key as string);
    if (!seen || (entry.created as string) > (seen.created as string)) newest.set(entry.cache_key as string, entry);
  }
  const rows = await readByIds(ctx, db, 'task_run_state', existingColumns(ctx, 'task_run_state', STATE_COLUMNS), 'id', [...newest.values()].map((entry) => entry.task_run_state_id as string));
  const states = await statesWithData(ctx, db, rows);
  const byKey = new Map<string, RunState>();
  for (const [key, entry] of newest) {
    const state = states.get(entry.task_run_state_id as string);
    if (state) byKey.set(key, state);
  }
  return byKey;
}
