import {STREAM_BATCH, streamRowObjects} from '../db/row-stream.js';
import {notFoundError} from '../errors.js';
import {decodeRow, encodeRow, isUuid, limitedList, type RepositoryContext, resolveId, type Row, type LimitedRows} from './common.js';

/**
 * A concurrency_limit_v2 row as Prefect's API answers for it (GlobalConcurrencyLimitResponse):
 * active_slots is the count after decay, as the server computes it when read.
 */
export interface GlobalConcurrencyLimitRecord {
  id: string;
  created: string;
  updated: string;
  active: boolean;
  name: string;
  limit: number;
  active_slots: number;
  slot_decay_per_second: number;
}

/** A version 1 tag limit row (concurrency_limit): active_slots lists the task run ids holding a slot. */
export interface TagLimitRow {
  id: string;
  created: string;
  updated: string;
  tag: string;
  concurrency_limit: number;
  active_slots: string[];
}

/** A task run as a slot holder is shown. */
export interface SlotHolderTaskRun {
  id: string;
  name: string;
  flow_run_id: string | null;
  state_type: string | null;
  state_name: string | null;
}

/**
 * Prefect's active_slots_after_decay: the stored count less floor(decay × seconds since
 * `updated`), never below 0.
 */
export function activeSlotsAfterDecay(activeSlots: number, decayPerSecond: number, updatedIso: string, nowMillis: number): number {
  const seconds = (nowMillis - Date.parse(updatedIso)) / 1000;
  return Math.max(0, activeSlots - Math.floor(decayPerSecond * seconds));
}

function toGlobalLimit(ctx: RepositoryContext, raw: Row, nowMillis: number): GlobalConcurrencyLimitRecord {
  const row = decodeRow(ctx, 'concurrency_limit_v2', raw);
  const decay = Number(row.slot_decay_per_second ?? 0);
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    active: Boolean(row.active),
    name: row.name as string,
    limit: Number(row.limit),
    active_slots: activeSlotsAfterDecay(Number(row.active_slots), decay, row.updated as string, nowMillis),
    slot_decay_per_second: decay,
  };
}

export async function listGlobalConcurrencyLimits(
  ctx: RepositoryContext,
  options: {limit?: number; namePrefix?: string},
  nowMillis: number,
): Promise<LimitedRows<GlobalConcurrencyLimitRecord>> {
  const result = await limitedList(globalLimitQuery(ctx, options), options.limit, async (qb) => (await qb) as Row[]);
  return {rows: result.rows.map((raw) => toGlobalLimit(ctx, raw, nowMillis)), total: result.total, totalIsLowerBound: result.totalIsLowerBound};
}

/** Every limit listGlobalConcurrencyLimits would give, a batch at a time as read (`--all`): bounded memory at any count. */
export async function streamGlobalConcurrencyLimits(
  ctx: RepositoryContext,
  options: {namePrefix?: string},
  nowMillis: number,
  onBatch: (rows: GlobalConcurrencyLimitRecord[]) => Promise<void>,
): Promise<void> {
  await streamRowObjects(ctx.db, globalLimitQuery(ctx, options), STREAM_BATCH, (rows) => onBatch(rows.map((raw) => toGlobalLimit(ctx, raw, nowMillis))));
}

function globalLimitQuery(ctx: RepositoryContext, options: {namePrefix?: string}) {
  const query = ctx.db.knex('concurrency_limit_v2').select('*').orderBy([{column: 'name'}, {column: 'id'}]);
  if (options.namePrefix !== undefined) query.where('name', '>=', options.namePrefix).andWhere('name', '<', options.namePrefix + '\uffff');
  return query;
}

/** By exact name, else by id or unique id prefix (as Prefect's API takes an id or a name). */
export async function findGlobalConcurrencyLimit(ctx: RepositoryContext, nameOrId: string, nowMillis: number): Promise<GlobalConcurrencyLimitRecord> {
  const byName = await ctx.db.knex('concurrency_limit_v2').where('name', nameOrId).first();
  if (byName) return toGlobalLimit(ctx, byName, nowMillis);
  if (!/^[0-9a-f-]+$/i.test(nameOrId)) throw notFoundError(`no global concurrency limit named "${nameOrId}"`);
  const id = await resolveId(ctx, 'concurrency_limit_v2', nameOrId, 'global concurrency limit');
  return toGlobalLimit(ctx, await ctx.db.knex('concurrency_limit_v2').where('id', id).first(), nowMillis);
}

export async function findGlobalConcurrencyLimitByName(ctx: RepositoryContext, name: string, nowMillis: number): Promise<GlobalConcurrencyLimitRecord | undefined> {
  const row = await ctx.db.knex('concurrency_limit_v2').where('name', name).first();
  return row ? toGlobalLimit(ctx, row, nowMillis) : undefined;
}

export async function insertGlobalConcurrencyLimitRow(ctx: RepositoryContext, values: Row): Promise<void> {
  await ctx.db.knex('concurrency_limit_v2').insert(encodeRow(ctx, 'concurrency_limit_v2', values));
}

export async function updateGlobalConcurrencyLimitRow(ctx: RepositoryContext, id: string, values: Row): Promise<void> {
  await ctx.db.knex('concurrency_limit_v2').where('id', id).update(encodeRow(ctx, 'concurrency_limit_v2', values));
}

/** Deletes the limit; a deployment linked to it keeps its row, concurrency_limit_id set to NULL by the foreign key. */
export async function deleteGlobalConcurrencyLimitRow(ctx: RepositoryContext, id: string): Promise<void> {
  await ctx.db.knex('concurrency_limit_v2').where('id', id).delete();
}

function toTagLimitRow(ctx: RepositoryContext, raw: Row): TagLimitRow {
  const row = decodeRow(ctx, 'concurrency_limit', raw);
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    tag: row.tag as string,
    concurrency_limit: Number(row.concurrency_limit),
    active_slots: ((row.active_slots as unknown[] | null) ?? []).map((slot) => String(slot).toLowerCase()),
  };
}

export async function listTagLimitRows(ctx: RepositoryContext): Promise<TagLimitRow[]> {
  const rows = (await ctx.db.knex('concurrency_limit').select('*').orderBy([{column: 'tag'}, {column: 'id'}])) as Row[];
  return rows.map((raw) => toTagLimitRow(ctx, raw));
}

export async function findTagLimitRow(ctx: RepositoryContext, tag: string): Promise<TagLimitRow | undefined> {
  const row = await ctx.db.knex('concurrency_limit').where('tag', tag).first();
  return row ? toTagLimitRow(ctx, row) : undefined;
}

export async function insertTagLimitRow(ctx: RepositoryContext, values: Row): Promise<void> {
  await ctx.db.knex('concurrency_limit').insert(encodeRow(ctx, 'concurrency_limit', values));
}

export async function updateTagLimitRow(ctx: RepositoryContext, id: string, values: Row): Promise<void> {
  await ctx.db.knex('concurrency_limit').where('id', id).update(encodeRow(ctx, 'concurrency_limit', values));
}

export async function deleteTagLimitRow(ctx: RepositoryContext, id: string): Promise<void> {
  await ctx.db.knex('concurrency_limit').where('id', id).delete();
}

function toHolder(row: Row): SlotHolderTaskRun {
  return {
    id: String(row.id).toLowerCase(),
    name: row.name as string,
    flow_run_id: row.flow_run_id == null ? null : String(row.flow_run_id).toLowerCase(),
    state_type: (row.state_type as string | null) ?? null,
    state_name: (row.state_name as string | null) ?? null,
  };
}

/** The task runs with these ids (missing ones are simply absent), in id order. */
export async function readTaskRuns(ctx: RepositoryContext, ids: readonly string[]): Promise<SlotHolderTaskRun[]> {
  // A slot list may hold anything a client wrote; only well-formed ids can name a task run (PG's uuid would reject the rest).
  const wellFormed = ids.filter(isUuid);
  if (wellFormed.length === 0) return [];
  const rows = (await ctx.db
    .knex('task_run')
    .select('id', 'name', 'flow_run_id', 'state_type', 'state_name')
    .whereIn('id', wellFormed)
    .orderBy('id')) as Row[];
  return rows.map(toHolder);
}

/** Task run states that keep a tag slot: Prefect releases it when a task run leaves them (ReleaseTaskConcurrencySlots). */
export const TAG_SLOT_STATES: readonly string[] = ['RUNNING', 'CANCELLING'];

/** Task runs carrying `tag` that hold a slot of the tag's limit: Running or Cancelling. */
export async function taskRunsHoldingTag(ctx: RepositoryContext, tag: string): Promise<SlotHolderTaskRun[]> {
  const query = ctx.db.knex('task_run').select('id', 'name', 'flow_run_id', 'state_type', 'state_name').whereIn('state_type', [...TAG_SLOT_STATES]).orderBy('id');
  return ((await ctx.sql.jsonArrayContains(query, 'tags', tag)) as Row[]).map(toHolder);
}

/** Flow runs of a deployment that hold a slot of its limit: Pending, Running or Cancelling. */
export async function countDeploymentSlotHolders(ctx: RepositoryContext, deploymentId: string): Promise<number> {
  const [row] = (await ctx.db
    .knex('flow_run')
    .where('deployment_id', deploymentId)
    .whereIn('state_type', ['PENDING', 'RUNNING', 'CANCELLING'])
    .count({count: '*'})) as Array<{count: number | string}>;
  return Number(row.count);
}
