import type {Knex} from 'knex';

import {notFoundError, usageError} from '../errors.js';
import {decodeRow, existingColumns, limitedList, type RepositoryContext, resolveId, type Row, type LimitedRows} from './common.js';
import {STREAM_BATCH, streamRowObjects} from '../db/row-stream.js';
import {polledRecently} from './work-queues.js';

/** A deployment_schedule row as Prefect's REST API names its fields. */
export interface DeploymentScheduleRecord {
  id: string | null;
  created: string | null;
  updated: string | null;
  deployment_id: string;
  schedule: unknown;
  active: boolean;
  max_scheduled_runs: number | null;
  parameters: Record<string, unknown> | null;
  slug: string | null;
}

/** The concurrency_limit_v2 row ("deployment:<id>") that enforces a deployment's limit. */
export interface GlobalConcurrencyLimitRecord {
  id: string;
  created: string;
  updated: string;
  active: boolean;
  name: string;
  limit: number;
  active_slots: number;
  slot_decay_per_second: number | null;
}

export type DeploymentStatus = 'READY' | 'NOT_READY';

/** A deployment as Prefect's REST API names its fields, plus flow_name. */
export interface DeploymentRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  version: string | null;
  description: string | null;
  flow_id: string;
  flow_name: string;
  paused: boolean;
  status: DeploymentStatus;
  schedules: DeploymentScheduleRecord[];
  concurrency_limit: number | null;
  global_concurrency_limit: GlobalConcurrencyLimitRecord | null;
  concurrency_options: unknown;
  job_variables: unknown;
  parameters: unknown;
  tags: string[];
  labels: unknown;
  work_queue_name: string | null;
  work_pool_name: string | null;
  work_queue_id: string | null;
  last_polled: string | null;
  parameter_openapi_schema: unknown;
  path: string | null;
  pull_steps: unknown;
  entrypoint: string | null;
  storage_document_id: string | null;
  infrastructure_document_id: string | null;
  created_by: unknown;
  updated_by: unknown;
  enforce_parameter_schema: boolean | null;
}

const DEPLOYMENT_COLUMNS = [
  'id', 'created', 'updated', 'name', 'version', 'description', 'flow_id', 'paused', 'concurrency_limit',
  'concurrency_limit_id', 'concurrency_options', 'infra_overrides', 'parameters', 'tags', 'labels', 'work_queue_name',
  'work_queue_id', 'last_polled', 'parameter_openapi_schema', 'path', 'pull_steps', 'entrypoint', 'storage_document_id',
  'infrastructure_document_id', 'created_by', 'updated_by', 'enforce_parameter_schema',
  // Before 3.1.6 (dropped then): the single schedule and its switch.
  'schedule', 'is_schedule_active',
] as const;

const SCHEDULE_COLUMNS = ['id', 'created', 'updated', 'deployment_id', 'schedule', 'active', 'max_scheduled_runs', 'parameters', 'slug'] as const;
const LIMIT_COLUMNS = ['id', 'created', 'updated', 'active', 'name', 'limit', 'active_slots', 'slot_decay_per_second'] as const;

export type DeploymentSortField = 'name' | 'created' | 'updated';

export interface DeploymentListOptions {
  flowName?: string;
  workPoolName?: string;
  tag?: string;
  paused?: boolean;
  sort: {field: DeploymentSortField; direction: 'asc' | 'desc'};
  limit?: number;
}

function baseQuery(ctx: RepositoryContext): Knex.QueryBuilder {
  return ctx.db
    .knex('deployment')
    .join('flow', 'flow.id', 'deployment.flow_id')
    .leftJoin('work_queue', 'work_queue.id', 'deployment.work_queue_id')
    .leftJoin('work_pool', 'work_pool.id', 'work_queue.work_pool_id')
    .select(existingColumns(ctx, 'deployment', DEPLOYMENT_COLUMNS).map((column) => `deployment.${column}`))
    .select({
      joined_flow_name: 'flow.name',
      joined_queue_name: 'work_queue.name',
      joined_queue_last_polled: 'work_queue.last_polled',
      joined_pool_name: 'work_pool.name',
    });
}

/** Paused as Prefect means it; before 2.16 that was "schedule not active" (the migration's rule). */
function wherePaused(ctx: RepositoryContext, query: Knex.QueryBuilder, paused: boolean): Knex.QueryBuilder {
  const {codec} = ctx.db;
  if (ctx.schema.hasColumn('deployment', 'paused')) return query.where('deployment.paused', codec.encodeBoolean(paused));
  return query.where('deployment.is_schedule_active', codec.encodeBoolean(!paused));
}

export async function listDeployments(
  ctx: RepositoryContext,
  options: DeploymentListOptions,
  nowMillis: number,
): Promise<LimitedRows<DeploymentRecord>> {
  const result = await limitedList(deploymentQuery(ctx, options), options.limit, async (qb) => (await qb) as Row[]);
  return {rows: await toDeployments(ctx, result.rows, nowMillis), total: result.total, totalIsLowerBound: result.totalIsLowerBound};
}

/**
 * Every deployment listDeployments would give, a batch at a time as read (`--all`): bounded
 * memory at any count. Schedules and concurrency limits are looked up once per batch.
 */
export async function streamDeployments(
  ctx: RepositoryContext,
  options: Omit<DeploymentListOptions, 'limit'>,
  nowMillis: number,
  onBatch: (rows: DeploymentRecord[]) => Promise<void>,
): Promise<void> {
  await streamRowObjects(ctx.db, deploymentQuery(ctx, options), STREAM_BATCH, async (rows) => onBatch(await toDeployments(ctx, rows, nowMillis)));
}

function deploymentQuery(ctx: RepositoryContext, options: Omit<DeploymentListOptions, 'limit'>): Knex.QueryBuilder {
  let query = baseQuery(ctx);
  if (options.flowName !== undefined) query = query.where('flow.name', options.flowName);
  if (options.workPoolName !== undefined) query = query.where('work_pool.name', options.workPoolName);
  if (options.tag !== undefined) query = ctx.sql.jsonArrayContains(query, 'deployment.tags', options.tag);
  if (options.paused !== undefined) query = wherePaused(ctx, query, options.paused);
  const {field, direction} = options.sort;
  query =
    field === 'name'
      ? query.orderBy([
          {column: 'flow.name', order: direction},
          {column: 'deployment.name', order: direction},
        ])
      : query.orderBy(`deployment.${field}`, direction);
  return query.orderBy('deployment.id');
}

/**
 * Finds a deployment by "flow/deployment" (names never contain "/": Prefect rejects it),
 * or by id or unique id prefix.
 */
export async function findDeployment(ctx: RepositoryContext, reference: string, nowMillis: number): Promise<DeploymentRecord> {
  const slash = reference.indexOf('/');
  let rows: Row[];
  if (slash > 0) {
    const [flowName, deploymentName] = [reference.slice(0, slash), reference.slice(slash + 1)];
    rows = await baseQuery(ctx).where('flow.name', flowName).andWhere('deployment.name', deploymentName);
    if (rows.length === 0) throw notFoundError(`no deployment "${deploymentName}" of flow "${flowName}"`);
  } else {
    if (!/^[0-9a-f-]+$/i.test(reference)) {
      throw usageError(`invalid deployment "${reference}": give FLOW/DEPLOYMENT or an id (or unique id prefix)`);
    }
    const id = await resolveId(ctx, 'deployment', reference, 'deployment');
    rows = await baseQuery(ctx).where('deployment.id', id);
  }
  return (await toDeployments(ctx, rows, nowMillis))[0];
}

/** "flow/deployment" for a deployment id, or null when the deployment is gone (runs outlive it). */
export async function deploymentLabel(ctx: RepositoryContext, deploymentId: string): Promise<string | null> {
  const row = (await ctx.db
    .knex('deployment')
    .join('flow', 'flow.id', 'deployment.flow_id')
    .where('deployment.id', deploymentId)
    .first({flow_name: 'flow.name', name: 'deployment.name'})) as {flow_name: string; name: string} | undefined;
  return row ? `${row.flow_name}/${row.name}` : null;
}

async function toDeployments(ctx: RepositoryContext, rows: Row[], nowMillis: number): Promise<DeploymentRecord[]> {
  const ids = rows.map((row) => String(row.id));
  const schedules = await schedulesByDeployment(ctx, ids);
  const limitIds = rows.map((row) => row.concurrency_limit_id).filter((id): id is string => Boolean(id));
  const limits = await concurrencyLimitsById(ctx, limitIds.map(String));
  const {codec} = ctx.db;

  return rows.map((raw) => {
    const {joined_flow_name, joined_queue_name, joined_queue_last_polled, joined_pool_name, ...own} = raw;
    const row = decodeRow(ctx, 'deployment', own);
    const id = row.id as string;
    const lastPolled = (row.last_polled as string | null) ?? null;
    const queueLastPolled = codec.decodeTimestamp(joined_queue_last_polled ?? null);
    const limitId = (row.concurrency_limit_id as string | null) ?? null;
    return {
      id,
      created: row.created as string,
      updated: row.updated as string,
      name: row.name as string,
      version: (row.version as string | null) ?? null,
      description: (row.description as string | null) ?? null,
      flow_id: row.flow_id as string,
      flow_name: joined_flow_name as string,
      paused: isPaused(ctx, row),
      // What the foreman would hold now: READY while the deployment or its queue was polled in the last 60 s.
      status: polledRecently(lastPolled, nowMillis) || polledRecently(queueLastPolled, nowMillis) ? 'READY' : 'NOT_READY',
      schedules: schedules.get(id) ?? legacySchedule(ctx, row),
      concurrency_limit: (row.concurrency_limit as number | null) ?? null,
      global_concurrency_limit: (limitId && limits.get(limitId)) || null,
      concurrency_options: row.concurrency_options ?? null,
      job_variables: row.infra_overrides ?? null,
      parameters: row.parameters ?? null,
      tags: (row.tags as string[] | null) ?? [],
      labels: row.labels ?? null,
      // Like Prefect's API: the linked queue's name wins over the stored text.
      work_queue_name: (joined_queue_name as string | null) ?? (row.work_queue_name as string | null) ?? null,
      work_pool_name: (joined_pool_name as string | null) ?? null,
      work_queue_id: (row.work_queue_id as string | null) ?? null,
      last_polled: lastPolled,
      parameter_openapi_schema: row.parameter_openapi_schema ?? null,
      path: (row.path as string | null) ?? null,
      pull_steps: row.pull_steps ?? null,
      entrypoint: (row.entrypoint as string | null) ?? null,
      storage_document_id: (row.storage_document_id as string | null) ?? null,
      infrastructure_document_id: (row.infrastructure_document_id as string | null) ?? null,
      created_by: row.created_by ?? null,
      updated_by: row.updated_by ?? null,
      enforce_parameter_schema: (row.enforce_parameter_schema as boolean | null) ?? null,
    };
  });
}

function isPaused(ctx: RepositoryContext, row: Row): boolean {
  if (ctx.schema.hasColumn('deployment', 'paused')) return Boolean(row.paused);
  return ctx.db.codec.decodeBoolean(row.is_schedule_active) === false;
}

/**
 * Before 2.16 a deployment had one schedule in deployment.schedule, switched by
 * is_schedule_active. It is shown as the one schedule the 2.16 migration would have made of
 * it; that row never existed, so it has no id, timestamps, limit, parameters or slug.
 */
function legacySchedule(ctx: RepositoryContext, row: Row): DeploymentScheduleRecord[] {
  if (ctx.schema.hasTable('deployment_schedule') || !ctx.schema.hasColumn('deployment', 'schedule')) return [];
  const schedule = row.schedule == null ? null : ctx.db.codec.decodeJson(row.schedule);
  if (schedule === null) return [];
  return [
    {
      id: null,
      created: null,
      updated: null,
      deployment_id: row.id as string,
      schedule,
      active: ctx.db.codec.decodeBoolean(row.is_schedule_active) !== false,
      max_scheduled_runs: null,
      parameters: null,
      slug: null,
    },
  ];
}

/** Schedules per deployment, in Prefect's order (most recently updated first). */
async function schedulesByDeployment(ctx: RepositoryContext, deploymentIds: string[]): Promise<Map<string, DeploymentScheduleRecord[]>> {
  const byDeployment = new Map<string, DeploymentScheduleRecord[]>();
  if (deploymentIds.length === 0 || !ctx.schema.hasTable('deployment_schedule')) return byDeployment;
  const rows = await ctx.db
    .knex('deployment_schedule')
    .select(existingColumns(ctx, 'deployment_schedule', SCHEDULE_COLUMNS))
    .whereIn('deployment_id', deploymentIds)
    .orderBy([{column: 'updated', order: 'desc'}, {column: 'id'}]);
  for (const raw of rows as Row[]) {
    const row = decodeRow(ctx, 'deployment_schedule', raw);
    const record: DeploymentScheduleRecord = {
      id: row.id as string,
      created: row.created as string,
      updated: row.updated as string,
      deployment_id: row.deployment_id as string,
      schedule: row.schedule ?? null,
      active: Boolean(row.active),
      max_scheduled_runs: (row.max_scheduled_runs as number | null) ?? null,
      parameters: (row.parameters as Record<string, unknown> | null) ?? null,
      slug: (row.slug as string | null) ?? null,
    };
    byDeployment.set(record.deployment_id, [...(byDeployment.get(record.deployment_id) ?? []), record]);
  }
  return byDeployment;
}

async function concurrencyLimitsById(ctx: RepositoryContext, ids: string[]): Promise<Map<string, GlobalConcurrencyLimitRecord>> {
  if (ids.length === 0 || !ctx.schema.hasTable('concurrency_limit_v2')) return new Map();
  const rows = await ctx.db
    .knex('concurrency_limit_v2')
    .select(existingColumns(ctx, 'concurrency_limit_v2', LIMIT_COLUMNS))
    .whereIn('id', ids);
  return new Map(
    (rows as Row[]).map((raw) => {
      const row = decodeRow(ctx, 'concurrency_limit_v2', raw);
      const record: GlobalConcurrencyLimitRecord = {
        id: row.id as string,
        created: row.created as string,
        updated: row.updated as string,
        active: Boolean(row.active),
        name: row.name as string,
        limit: row.limit as number,
        active_slots: row.active_slots as number,
        slot_decay_per_second: (row.slot_decay_per_second as number | null) ?? null,
      };
      return [record.id, record];
    }),
  );
}
