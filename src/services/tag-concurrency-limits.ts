import {currentTimestamp, newUuid4} from '../db/ids.js';
import {revisionAtLeast} from '../db/revisions.js';
import {notFoundError} from '../errors.js';
import {type RepositoryContext, withTransaction} from '../repositories/common.js';
import {
  deleteGlobalConcurrencyLimitRow,
  deleteTagLimitRow,
  findGlobalConcurrencyLimitByName,
  findTagLimitRow,
  type GlobalConcurrencyLimitRecord,
  insertGlobalConcurrencyLimitRow,
  insertTagLimitRow,
  listGlobalConcurrencyLimits,
  listTagLimitRows,
  readTaskRuns,
  taskRunsHoldingTag,
  type SlotHolderTaskRun,
  TAG_SLOT_STATES,
  type TagLimitRow,
  updateGlobalConcurrencyLimitRow,
  updateTagLimitRow,
} from '../repositories/concurrency-limits.js';
import {inTransaction} from './batches.js';
import {newGlobalLimitRow} from './global-concurrency-limits.js';
import type {WriteOptions} from './write-options.js';

/**
 * A tag (V1) concurrency limit as `concurrency-limit inspect` shows it. Until Prefect 3.4.19
 * it is a concurrency_limit row whose active_slots lists the task runs holding a slot; from
 * 3.4.19 (migration 9e83011d1f2a) Prefect keeps it as the global limit "tag:<tag>", whose
 * holders live in the server's memory: active_slots then lists the task runs carrying the
 * tag that hold a slot (Running or Cancelling), and slots_in_use is the counter after decay.
 */
export interface TagLimitRecord {
  id: string;
  created: string;
  updated: string;
  tag: string;
  concurrency_limit: number;
  active_slots: string[];
  slots_in_use: number;
  stored_in: 'concurrency_limit' | 'concurrency_limit_v2';
  active_task_runs: SlotHolderTaskRun[];
}

const TAG_PREFIX = 'tag:';

/** Whether this database's Prefect keeps tag limits as "tag:<tag>" global limits (3.4.19+). */
export function tagLimitsAreGlobal(ctx: RepositoryContext): boolean {
  return revisionAtLeast(ctx.schema.dialect, ctx.schema.revision, '9e83011d1f2a');
}

async function fromGlobal(ctx: RepositoryContext, limit: GlobalConcurrencyLimitRecord): Promise<TagLimitRecord> {
  const tag = limit.name.slice(TAG_PREFIX.length);
  const holders = await taskRunsHoldingTag(ctx, tag);
  return {
    id: limit.id,
    created: limit.created,
    updated: limit.updated,
    tag,
    concurrency_limit: limit.limit,
    active_slots: holders.map((run) => run.id),
    slots_in_use: limit.active_slots,
    stored_in: 'concurrency_limit_v2',
    active_task_runs: holders,
  };
}

async function fromRow(ctx: RepositoryContext, row: TagLimitRow): Promise<TagLimitRecord> {
  const runs = await readTaskRuns(ctx, row.active_slots);
  // Slot holders in the order the limit lists them; a deleted task run shows without a state.
  const byId = new Map(runs.map((run) => [run.id, run]));
  return {
    ...row,
    slots_in_use: row.active_slots.length,
    stored_in: 'concurrency_limit',
    active_task_runs: row.active_slots.map((id) => byId.get(id) ?? {id, name: '', flow_run_id: null, state_type: null, state_name: null}),
  };
}

/** Tag limits in Prefect's order: the "tag:" global limits first (3.4.19+), then version 1 rows not shadowed by them. */
export async function listTagLimits(ctx: RepositoryContext): Promise<TagLimitRecord[]> {
  const now = Date.now();
  const globals = tagLimitsAreGlobal(ctx) ? (await listGlobalConcurrencyLimits(ctx, {namePrefix: TAG_PREFIX}, now)).rows : [];
  const records = await Promise.all(globals.map((limit) => fromGlobal(ctx, limit)));
  const seen = new Set(records.map((record) => record.tag));
  for (const row of await listTagLimitRows(ctx)) if (!seen.has(row.tag)) records.push(await fromRow(ctx, row));
  return records;
}

async function locate(ctx: RepositoryContext, tag: string): Promise<{global?: GlobalConcurrencyLimitRecord; row?: TagLimitRow}> {
  if (tagLimitsAreGlobal(ctx)) {
    const global = await findGlobalConcurrencyLimitByName(ctx, TAG_PREFIX + tag, Date.now());
    if (global) return {global};
  }
  const row = await findTagLimitRow(ctx, tag);
  if (row) return {row};
  throw notFoundError(`no concurrency limit for tag "${tag}"`);
}

export async function findTagLimit(ctx: RepositoryContext, tag: string): Promise<TagLimitRecord> {
  const {global, row} = await locate(ctx, tag);
  return global ? fromGlobal(ctx, global) : fromRow(ctx, row!);
}

/**
 * Creates the limit or, when the tag has one, changes its limit — Prefect's create is an
 * upsert. 3.4.19+ writes the global limit "tag:<tag>", older releases a concurrency_limit row.
 */
export async function setTagLimit(ctx: RepositoryContext, tag: string, limit: number, options: WriteOptions = {}): Promise<TagLimitRecord> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const now = currentTimestamp();
      if (tagLimitsAreGlobal(tx)) {
        const existing = await findGlobalConcurrencyLimitByName(tx, TAG_PREFIX + tag, Date.now());
        if (existing) await updateGlobalConcurrencyLimitRow(tx, existing.id, {limit, updated: now});
        else await insertGlobalConcurrencyLimitRow(tx, newGlobalLimitRow({name: TAG_PREFIX + tag, limit, active: true}));
      } else {
        const existing = await findTagLimitRow(tx, tag);
        if (existing) await updateTagLimitRow(tx, existing.id, {concurrency_limit: limit, updated: now});
        else await insertTagLimitRow(tx, {id: newUuid4(), created: now, updated: now, tag, concurrency_limit: limit, active_slots: []});
      }
      return findTagLimit(tx, tag);
    },
    {rollback: options.dryRun},
  );
}

export async function deleteTagLimit(ctx: RepositoryContext, tag: string, options: WriteOptions = {}): Promise<TagLimitRecord> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const record = await findTagLimit(tx, tag);
      if (record.stored_in === 'concurrency_limit_v2') await deleteGlobalConcurrencyLimitRow(tx, record.id);
      else await deleteTagLimitRow(tx, record.id);
      return record;
    },
    {rollback: options.dryRun},
  );
}

/**
 * Releases the tag's slots: all of them, or with `staleOnly` those held by task runs no
 * longer Running or Cancelling (or gone). On a global "tag:" limit the counter drops to the
 * number of such task runs with the tag (never rises).
 */
export async function resetTagLimit(
  ctx: RepositoryContext,
  tag: string,
  staleOnly: boolean,
  options: WriteOptions = {},
): Promise<{before: TagLimitRecord; after: TagLimitRecord}> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const before = await findTagLimit(tx, tag);
      const now = currentTimestamp();
      if (before.stored_in === 'concurrency_limit_v2') {
        const slots = staleOnly ? Math.min(before.slots_in_use, before.active_task_runs.length) : 0;
        await updateGlobalConcurrencyLimitRow(tx, before.id, {active_slots: slots, updated: now});
      } else {
        const kept = staleOnly ? before.active_task_runs.filter((run) => TAG_SLOT_STATES.includes(run.state_type ?? '')).map((run) => run.id) : [];
        await updateTagLimitRow(tx, before.id, {active_slots: kept, updated: now});
      }
      return {before, after: await findTagLimit(tx, tag)};
    },
    {rollback: options.dryRun},
  );
}
