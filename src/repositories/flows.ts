import type {Knex} from 'knex';

import {STREAM_BATCH, streamRowObjects} from '../db/row-stream.js';
import {notFoundError} from '../errors.js';
import {decodeRow, existingColumns, limitedList, type RepositoryContext, resolveId, type Row, type LimitedRows} from './common.js';

/** A flow as Prefect's REST API names its fields. */
export interface FlowRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  tags: string[];
  labels: Record<string, unknown> | null;
}

const FLOW_COLUMNS = ['id', 'created', 'updated', 'name', 'tags', 'labels'] as const;

export interface FlowListOptions {
  nameLike?: string;
  tag?: string;
  limit?: number;
}

function toFlow(ctx: RepositoryContext, raw: Row): FlowRecord {
  const row = decodeRow(ctx, 'flow', raw);
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    name: row.name as string,
    tags: (row.tags as string[] | null) ?? [],
    labels: (row.labels as Record<string, unknown> | undefined) ?? null,
  };
}

export async function listFlows(ctx: RepositoryContext, options: FlowListOptions): Promise<LimitedRows<FlowRecord>> {
  return limitedList(flowQuery(ctx, options), options.limit, async (qb) => (await qb).map((row: Row) => toFlow(ctx, row)));
}

/** Every flow listFlows would give, a batch at a time as read (`--all`): bounded memory at any count. */
export async function streamFlows(ctx: RepositoryContext, options: Omit<FlowListOptions, 'limit'>, onBatch: (rows: FlowRecord[]) => Promise<void>): Promise<void> {
  await streamRowObjects(ctx.db, flowQuery(ctx, options), STREAM_BATCH, (rows) => onBatch(rows.map((row) => toFlow(ctx, row))));
}

function flowQuery(ctx: RepositoryContext, options: Omit<FlowListOptions, 'limit'>): Knex.QueryBuilder {
  let query = ctx.db.knex('flow').select(existingColumns(ctx, 'flow', FLOW_COLUMNS));
  if (options.nameLike) query = ctx.sql.containsIgnoringCase(query, 'name', options.nameLike);
  if (options.tag) query = ctx.sql.jsonArrayContains(query, 'tags', options.tag);
  return query.orderBy([{column: 'name'}, {column: 'id'}]);
}

/** Finds a flow by exact name, else by id or unique id prefix. */
export async function findFlow(ctx: RepositoryContext, nameOrId: string): Promise<FlowRecord> {
  const columns = existingColumns(ctx, 'flow', FLOW_COLUMNS);
  const byName = await ctx.db.knex('flow').select(columns).where('name', nameOrId).first();
  if (byName) return toFlow(ctx, byName);
  if (!/^[0-9a-f-]+$/i.test(nameOrId)) throw notFoundError(`no flow named "${nameOrId}"`);
  const id = await resolveId(ctx, 'flow', nameOrId, 'flow');
  return toFlow(ctx, await ctx.db.knex('flow').select(columns).where('id', id).first());
}

/** Flow runs of a flow counted by state type (null type = no state yet). */
export async function countFlowRunsByStateType(ctx: RepositoryContext, flowId: string): Promise<Record<string, number>> {
  const rows = (await ctx.db
    .knex('flow_run')
    .select('state_type')
    .count({count: '*'})
    .where('flow_id', flowId)
    .groupBy('state_type')
    .orderBy('state_type')) as Array<{state_type: string | null; count: number | string}>;
  return Object.fromEntries(rows.map((r) => [r.state_type ?? 'NONE', Number(r.count)]));
}

export interface FlowDeploymentSummary {
  id: string;
  name: string;
  paused: boolean | null;
}

export async function listFlowDeployments(ctx: RepositoryContext, flowId: string): Promise<FlowDeploymentSummary[]> {
  const rows = await ctx.db
    .knex('deployment')
    .select(existingColumns(ctx, 'deployment', ['id', 'name', 'paused']))
    .where('flow_id', flowId)
    .orderBy('name');
  return rows.map((raw: Row) => {
    const row = decodeRow(ctx, 'deployment', raw);
    return {id: row.id as string, name: row.name as string, paused: (row.paused as boolean | undefined) ?? null};
  });
}
