import {currentTimestamp, newUuid4} from '../db/ids.js';
import {refusedError, usageError} from '../errors.js';
import {isUuid, type RepositoryContext, withTransaction} from '../repositories/common.js';
import {
  countDeploymentSlotHolders,
  deleteGlobalConcurrencyLimitRow,
  findGlobalConcurrencyLimit,
  findGlobalConcurrencyLimitByName,
  type GlobalConcurrencyLimitRecord,
  insertGlobalConcurrencyLimitRow,
  taskRunsHoldingTag,
  updateGlobalConcurrencyLimitRow,
} from '../repositories/concurrency-limits.js';
import {inTransaction} from './batches.js';
import {assertPrefectName} from './prefect-names.js';
import type {WriteOptions} from './write-options.js';

export interface NewGlobalConcurrencyLimit {
  name: string;
  limit: number;
  active?: boolean;
  activeSlots?: number;
  slotDecayPerSecond?: number;
}

export interface GlobalConcurrencyLimitChanges {
  active?: boolean;
  limit?: number;
  active_slots?: number;
  slot_decay_per_second?: number;
}

/** The columns ConcurrencyLimitV2Create gives a new row, with the ORM's avg_slot_occupancy_seconds default. */
export function newGlobalLimitRow(input: NewGlobalConcurrencyLimit): Record<string, unknown> {
  const now = currentTimestamp();
  return {
    id: newUuid4(),
    created: now,
    updated: now,
    active: input.active ?? true,
    name: input.name,
    limit: input.limit,
    active_slots: input.activeSlots ?? 0,
    denied_slots: 0,
    slot_decay_per_second: input.slotDecayPerSecond ?? 0,
    avg_slot_occupancy_seconds: 2.0,
  };
}

export async function createGlobalConcurrencyLimit(ctx: RepositoryContext, input: NewGlobalConcurrencyLimit, options: WriteOptions = {}): Promise<GlobalConcurrencyLimitRecord> {
  assertPrefectName(input.name, 'global concurrency limit');
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      if (await findGlobalConcurrencyLimitByName(tx, input.name, Date.now())) {
        throw refusedError(`a global concurrency limit named "${input.name}" already exists (change it with \`global-concurrency-limit update\`)`);
      }
      const row = newGlobalLimitRow(input);
      await insertGlobalConcurrencyLimitRow(tx, row);
      return findGlobalConcurrencyLimit(tx, row.id as string, Date.now());
    },
    {rollback: options.dryRun},
  );
}

/** Changes the given fields, as Prefect's PATCH does, and bumps `updated` (which restarts the decay clock). */
export async function updateGlobalConcurrencyLimit(
  ctx: RepositoryContext,
  nameOrId: string,
  changes: GlobalConcurrencyLimitChanges,
  options: WriteOptions = {},
): Promise<GlobalConcurrencyLimitRecord> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const limit = await findGlobalConcurrencyLimit(tx, nameOrId, Date.now());
      await updateGlobalConcurrencyLimitRow(tx, limit.id, {...changes, updated: currentTimestamp()});
      return findGlobalConcurrencyLimit(tx, limit.id, Date.now());
    },
    {rollback: options.dryRun},
  );
}

export async function deleteGlobalConcurrencyLimit(ctx: RepositoryContext, nameOrId: string, options: WriteOptions = {}): Promise<GlobalConcurrencyLimitRecord> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const limit = await findGlobalConcurrencyLimit(tx, nameOrId, Date.now());
      await deleteGlobalConcurrencyLimitRow(tx, limit.id);
      return limit;
    },
    {rollback: options.dryRun},
  );
}

/**
 * How many slots of a limit are really held, as far as the database can tell: for
 * "deployment:<id>" its flow runs in Pending, Running or Cancelling; for "tag:<tag>" the
 * task runs carrying the tag that are Running or Cancelling. Other limits are taken by client code
 * whose holders the database does not record: none are known.
 */
async function countSlotHolders(ctx: RepositoryContext, name: string): Promise<number> {
  if (name.startsWith('deployment:')) {
    const deploymentId = name.slice('deployment:'.length).toLowerCase();
    return isUuid(deploymentId) ? countDeploymentSlotHolders(ctx, deploymentId) : 0;
  }
  if (name.startsWith('tag:')) return (await taskRunsHoldingTag(ctx, name.slice('tag:'.length))).length;
  return 0;
}

/** Sets active_slots to the slots really held (see countSlotHolders). */
export async function resetGlobalConcurrencyLimit(
  ctx: RepositoryContext,
  nameOrId: string,
  options: WriteOptions = {},
): Promise<{before: GlobalConcurrencyLimitRecord; after: GlobalConcurrencyLimitRecord}> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const before = await findGlobalConcurrencyLimit(tx, nameOrId, Date.now());
      const held = await countSlotHolders(tx, before.name);
      await updateGlobalConcurrencyLimitRow(tx, before.id, {active_slots: held, updated: currentTimestamp()});
      return {before, after: await findGlobalConcurrencyLimit(tx, before.id, Date.now())};
    },
    {rollback: options.dryRun},
  );
}

/** Rejects values Prefect's ConcurrencyLimitV2 schemas reject (NonNegativeInteger / NonNegativeFloat). */
export function assertNonNegative(value: number | undefined, flag: string): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw usageError(`--${flag} must be 0 or more`);
}
