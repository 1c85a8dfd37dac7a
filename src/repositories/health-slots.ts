import type {Knex} from 'knex';

import type {RepositoryContext, Row} from './common.js';
import {decodeRow} from './common.js';
import {SLOT_HOLDING_TYPES} from './health-checks.js';

/**
 * Concurrency slots that are held by nobody. V1 tag limits list the task runs holding a slot
 * (active_slots); a slot is rightly held only by a Running task run. Deployment limits
 * (V2, named deployment:<id>) count slots held by the deployment's Pending, Running and
 * Cancelling flow runs. Other V2 limits are leased by the server: invisible here.
 */

const DEPLOYMENT_LIMIT_PREFIX = 'deployment:';

export interface TagLimitLeak {
  id: string;
  tag: string;
  kept: string[];
  leaked: string[];
}

export async function leakedTagSlots(ctx: RepositoryContext, knex: Knex | Knex.Transaction, ids?: readonly string[]): Promise<TagLimitLeak[]> {
  if (!ctx.schema.hasTable('concurrency_limit')) return [];
  const query = knex('concurrency_limit').select('id', 'tag', 'active_slots').orderBy('id');
  if (ids) query.whereIn('id', ids.map((id) => ctx.db.codec.encodeUuid(id)));
  const limits = (await query).map((raw: Row) => decodeRow(ctx, 'concurrency_limit', raw));
  const holders = [...new Set(limits.flatMap((limit) => (limit.active_slots as string[] | null) ?? []))];
  const running = new Set<string>();
  for (let start = 0; start < holders.length; start += 500) {
    const rows: Row[] = await knex('task_run').whereIn('id', holders.slice(start, start + 500)).where('state_type', 'RUNNING').select('id');
    rows.forEach((row) => running.add(ctx.db.codec.decodeUuid(row.id) as string));
  }
  return limits
    .map((limit) => {
      const slots = (limit.active_slots as string[] | null) ?? [];
      return {id: limit.id as string, tag: limit.tag as string, kept: slots.filter((id) => running.has(id)), leaked: slots.filter((id) => !running.has(id))};
    })
    .filter((limit) => limit.leaked.length > 0);
}

export async function setTagLimitSlots(ctx: RepositoryContext, trx: Knex.Transaction, id: string, slots: string[], now: string): Promise<void> {
  const {codec} = ctx.db;
  await trx('concurrency_limit').where('id', codec.encodeUuid(id)).update({active_slots: codec.encodeJson(slots), updated: codec.encodeTimestamp(now)});
}

export interface DeploymentLimitLeak {
  id: string;
  name: string;
  active_slots: number;
  held: number;
}

export async function leakedDeploymentSlots(ctx: RepositoryContext, knex: Knex | Knex.Transaction, ids?: readonly string[]): Promise<DeploymentLimitLeak[]> {
  if (!ctx.schema.hasTable('concurrency_limit_v2')) return [];
  const {codec} = ctx.db;
  const query = knex('concurrency_limit_v2').where('name', 'like', `${DEPLOYMENT_LIMIT_PREFIX}%`).select('id', 'name', 'active_slots').orderBy('id');
  if (ids) query.whereIn('id', ids.map((id) => codec.encodeUuid(id)));
  const limits: Row[] = await query;
  const deploymentIds = limits.map((limit) => String(limit.name).slice(DEPLOYMENT_LIMIT_PREFIX.length)).filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const held = new Map<string, number>();
  for (let start = 0; start < deploymentIds.length; start += 500) {
    const rows: Row[] = await knex('flow_run')
      .whereIn('deployment_id', deploymentIds.slice(start, start + 500).map((id) => codec.encodeUuid(id)))
      .whereIn('state_type', SLOT_HOLDING_TYPES)
      .groupBy('deployment_id')
      .select('deployment_id', knex.raw('count(*) as held'));
    rows.forEach((row) => held.set(codec.decodeUuid(row.deployment_id) as string, Number(row.held)));
  }
  return limits
    .map((limit) => {
      const name = String(limit.name);
      return {
        id: codec.decodeUuid(limit.id) as string,
        name,
        active_slots: Number(limit.active_slots),
        held: held.get(name.slice(DEPLOYMENT_LIMIT_PREFIX.length).toLowerCase()) ?? 0,
      };
    })
    .filter((limit) => limit.active_slots > limit.held);
}

export async function setLimitActiveSlots(ctx: RepositoryContext, trx: Knex.Transaction, id: string, slots: number, now: string): Promise<void> {
  const {codec} = ctx.db;
  await trx('concurrency_limit_v2').where('id', codec.encodeUuid(id)).update({active_slots: slots, updated: codec.encodeTimestamp(now)});
}

/** Active slots of the V2 limits that are not deployment limits: reported, never changed. */
export async function leasedLimitSlots(ctx: RepositoryContext): Promise<Record<string, number>> {
  if (!ctx.schema.hasTable('concurrency_limit_v2')) return {};
  const rows: Row[] = await ctx.db
    .knex('concurrency_limit_v2')
    .whereNot('name', 'like', `${DEPLOYMENT_LIMIT_PREFIX}%`)
    .where('active_slots', '>', 0)
    .select('name', 'active_slots')
    .orderBy('name');
  return Object.fromEntries(rows.map((row) => [String(row.name), Number(row.active_slots)]));
}
