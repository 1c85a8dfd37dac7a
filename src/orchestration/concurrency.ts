/**
 * Deployment and tag concurrency (core_policy.py). Slots are counters in the database and move
 * exactly when Prefect moves them; leases live in the server's memory, so prefectdb creates,
 * renews and revokes none and never writes a lease id of its own.
 */
import type {ConcurrencyLimitV1Facts, ConcurrencyLimitV2Facts, Effect} from './contract.js';
import {roundHalfEven} from './python-semantics.js';
import {ALL_STATES, allBut, type FlowContext, only, rule, type TaskContext, transform} from './rules.js';
import {makeState} from './states.js';
import {addSeconds} from './time.js';

const v2Slot = (limit: ConcurrencyLimitV2Facts, delta: 1 | -1): Effect => ({
  kind: 'concurrency_limit_v2_slots',
  limit_id: limit.id,
  name: limit.name,
  delta,
});

/** bulk_increment_active_slots succeeds only on an active limit with room. */
const hasRoom = (limit: ConcurrencyLimitV2Facts): boolean => limit.active && limit.active_slots + 1 <= limit.limit;

function collisionStrategy(ctx: FlowContext): string | null {
  return ctx.run.deployment?.concurrency_options?.collision_strategy ?? null;
}

/** Takes a deployment slot on the way to PENDING, or enqueues / cancels the run when none is free. */
export const secureFlowConcurrencySlots = rule<FlowContext>(
  'SecureFlowConcurrencySlots',
  allBut('PENDING', 'RUNNING', 'CANCELLING'),
  only('PENDING'),
  () => {
    let taken: Effect | null = null;
    return {
      before(ctx, control) {
        if (!ctx.run.deployment_id || !ctx.proposed) return;
        const deployment = ctx.run.deployment;
        if (!deployment) {
          control.abort('Deployment not found.');
          return;
        }
        const limit = deployment.global_concurrency_limit;
        if (!limit || !deployment.concurrency_limit_id) return;
        if (limit.limit === 0) {
          control.abort('The deployment concurrency limit is 0. The flow will deadlock if submitted again.');
          return;
        }
        if (hasRoom(limit)) {
          taken = v2Slot(limit, 1);
          ctx.effects.push(taken);
          return;
        }
        const strategy = collisionStrategy(ctx) ?? 'ENQUEUE';
        if (strategy === 'ENQUEUE') {
          const wait = ctx.env.settings.deployment_concurrency_slot_wait_seconds;
          const enqueued = makeState('SCHEDULED', ctx.env.now, {
            name: 'AwaitingConcurrencySlot',
            state_details: {scheduled_time: addSeconds(ctx.env.now, wait)},
          });
          control.reject(enqueued, 'Deployment concurrency limit reached.');
        } else if (strategy === 'CANCEL_NEW') {
          control.reject(makeState('CANCELLED', ctx.env.now, {message: 'Deployment concurrency limit reached.'}), 'Deployment concurrency limit reached.');
        }
      },
      cleanup(ctx) {
        if (taken !== null) ctx.effects.splice(ctx.effects.indexOf(taken), 1);
      },
    };
  },
);

/**
 * PENDING → RUNNING carries the lease id forward. Prefect validates the lease only for
 * clients ≥ 3.4.11; prefectdb calls as the server's own services do (no client version),
 * so, like them, it does not validate the lease.
 */
export const validateDeploymentConcurrencyAtRunning = rule<FlowContext>(
  'ValidateDeploymentConcurrencyAtRunning',
  only('PENDING'),
  only('RUNNING'),
  () => ({
    before(ctx) {
      if (!ctx.initial || !ctx.proposed) return;
      ctx.proposed.state_details.deployment_concurrency_lease_id = ctx.initial.state_details.deployment_concurrency_lease_id;
    },
  }),
);

/** Rejects Late for a CANCEL_NEW deployment whose limit is full: the run is cancelled instead. */
export const enforceDeploymentConcurrencyOnLate = rule<FlowContext>(
  'EnforceDeploymentConcurrencyOnLate',
  only('SCHEDULED'),
  only('SCHEDULED'),
  () => ({
    before(ctx, control) {
      const proposed = ctx.proposed;
      if (!ctx.initial || !proposed) return;
      if (proposed.type !== 'SCHEDULED' || proposed.name !== 'Late') return;
      const deployment = ctx.run.deployment_id ? ctx.run.deployment : null;
      if (!deployment || !deployment.concurrency_limit_id) return;
      if (collisionStrategy(ctx) !== 'CANCEL_NEW') return;
      const limit = deployment.global_concurrency_limit;
      if (!limit) return;
      if (limit.active_slots >= limit.limit) {
        control.reject(
          makeState('CANCELLED', ctx.env.now, {message: 'Deployment concurrency limit reached.'}),
          'Deployment concurrency limit is full and uses the CANCEL_NEW strategy.',
        );
      }
    },
  }),
);

/** The run's V1 limits as Prefect reads them: one per tag, ordered by tag. */
function v1LimitsByTag(limits: readonly ConcurrencyLimitV1Facts[]): ConcurrencyLimitV1Facts[] {
  const byTag = new Map(limits.map((limit) => [limit.tag, limit]));
  return [...byTag.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

/** The run's V2 limits, one per name. */
function v2LimitsByName(limits: readonly ConcurrencyLimitV2Facts[]): ConcurrencyLimitV2Facts[] {
  return [...new Map(limits.map((limit) => [limit.name, limit])).values()];
}

const HOLDS_DEPLOYMENT_SLOT = new Set(['PENDING', 'RUNNING', 'CANCELLING']);

/**
 * Leaving PENDING / RUNNING / CANCELLING for anything else frees one deployment slot (by the
 * lease when the server still has it, else by the fallback decrement: the same row change).
 * Prefect fails the whole request when the limit row is gone or inactive; prefectdb skips the
 * release then.
 */
export const releaseFlowConcurrencySlots = transform<FlowContext>('ReleaseFlowConcurrencySlots', () => ({
  after(ctx) {
    const from = ctx.initial?.type ?? null;
    const to = ctx.proposed?.type ?? null;
    if (from === null || !HOLDS_DEPLOYMENT_SLOT.has(from) || (to !== null && HOLDS_DEPLOYMENT_SLOT.has(to))) return;
    if (!ctx.run.deployment_id || !ctx.run.deployment?.concurrency_limit_id) return;
    const limit = ctx.run.deployment.global_concurrency_limit;
    if (limit && limit.active) ctx.effects.push(v2Slot(limit, -1));
  },
}));

/**
 * Secures every tag limit before RUNNING: V2 limits (`tag:<tag>`) first, then V1 limits.
 * A limit of 0 aborts, a full limit makes the client wait. Prefect keeps looping after an
 * abort or a wait, so several verdicts can be given and the last one stands; a V2 slot it took
 * for a transition that then does not happen is only freed by its lease expiring — prefectdb,
 * holding no lease, does not take it.
 */
export const secureTaskConcurrencySlots = rule<TaskContext>('SecureTaskConcurrencySlots', ALL_STATES, only('RUNNING'), () => {
  const applied: string[] = [];
  let v2Taken: Extract<Effect, {kind: 'concurrency_limit_v2_slots'}>[] = [];
  return {
    before(ctx, control) {
      const run = ctx.run;
      const v2Limits = v2LimitsByName(run.v2_limits);
      const v1Limits = v1LimitsByTag(run.v1_limits);
      const v2Tags = new Set(v2Limits.filter((l) => l.active).map((l) => l.name.replace(/^tag:/, '')));
      for (const limit of v2Limits) {
        if (limit.active && limit.limit === 0) {
          control.abort(`The concurrency limit on tag "${limit.name.replace(/^tag:/, '')}" is 0 and will deadlock if the task tries to run again.`);
        }
      }
      const activeV2 = v2Limits.filter((l) => l.active && l.limit > 0);
      if (activeV2.length > 0) {
        if (!activeV2.every(hasRoom)) {
          const maxWait = ctx.env.settings.tag_concurrency_slot_wait_seconds;
          const blocking = activeV2.reduce((a, b) => (b.active_slots / b.limit > a.active_slots / a.limit ? b : a));
          const average = Math.min(blocking.avg_slot_occupancy_seconds || maxWait, maxWait);
          const names = activeV2.map((l) => l.name.replace(/^tag:/, '')).join(', ');
          control.delay(roundHalfEven(ctx.env.poissonInterval(average, 0.3)), `Concurrency limit reached for tags: ${names}`);
          return;
        }
        if (ctx.proposed !== null) v2Taken = activeV2.map((limit) => ({kind: 'concurrency_limit_v2_slots', limit_id: limit.id, name: limit.name, delta: 1}));
        ctx.effects.push(...v2Taken);
      }
      if (!v1Limits.some((l) => !v2Tags.has(l.tag))) return;
      const v1Slot = (tag: string, action: 'take' | 'release'): Effect => ({kind: 'concurrency_limit_v1_slot', tag, task_run_id: run.id, action});
      const releaseApplied = () => ctx.effects.push(...applied.map((tag) => v1Slot(tag, 'release')));
      for (const limit of v1Limits) {
        if (limit.concurrency_limit === 0) {
          releaseApplied();
          control.abort(`The concurrency limit on tag "${limit.tag}" is 0 and will deadlock if the task tries to run again.`);
        } else if (limit.active_slots.length >= limit.concurrency_limit) {
          releaseApplied();
          control.delay(Math.trunc(ctx.env.settings.tag_concurrency_slot_wait_seconds), `Concurrency limit for the ${limit.tag} tag has been reached`);
        } else {
          applied.push(limit.tag);
          ctx.effects.push(v1Slot(limit.tag, 'take'));
        }
      }
      if (ctx.proposed === null) {
        for (const effect of v2Taken) ctx.effects.splice(ctx.effects.indexOf(effect), 1);
        v2Taken = [];
      }
    },
    cleanup(ctx) {
      for (const effect of v2Taken) ctx.effects.push({...effect, delta: -1});
      for (const tag of applied) ctx.effects.push({kind: 'concurrency_limit_v1_slot', tag, task_run_id: ctx.run.id, action: 'release'});
    },
  };
});

const HOLDS_TAG_SLOT = new Set(['RUNNING', 'CANCELLING']);

/**
 * Any written state other than RUNNING / CANCELLING frees the run's tag slots: its task run id
 * leaves every V1 limit, and the V2 slots its leases hold are released. prefectdb cannot see
 * leases; it releases one slot of each `tag:` limit when the run leaves RUNNING or CANCELLING,
 * the only states in which the server's rule left it holding one.
 */
export const releaseTaskConcurrencySlots = transform<TaskContext>('ReleaseTaskConcurrencySlots', () => ({
  after(ctx) {
    const validated = ctx.validated;
    if (!validated || HOLDS_TAG_SLOT.has(validated.type)) return;
    if (ctx.initial && HOLDS_TAG_SLOT.has(ctx.initial.type)) {
      for (const limit of v2LimitsByName(ctx.run.v2_limits)) if (limit.active) ctx.effects.push(v2Slot(limit, -1));
    }
    for (const limit of v1LimitsByTag(ctx.run.v1_limits)) {
      if (limit.active_slots.includes(ctx.run.id)) {
        ctx.effects.push({kind: 'concurrency_limit_v1_slot', tag: limit.tag, task_run_id: ctx.run.id, action: 'release'});
      }
    }
  },
}));
