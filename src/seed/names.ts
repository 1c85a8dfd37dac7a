import type {SeededRandom} from './random.js';

// Word lists in the spirit of Prefect's coolname slugs ("crimson-tortoise"): flow runs get a
// random two-word name when nobody gives them one.
const ADJECTIVES = [
  'amber', 'brave', 'calm', 'crimson', 'daring', 'eager', 'fluffy', 'gentle', 'golden', 'hidden',
  'icy', 'jolly', 'keen', 'lucky', 'merry', 'nimble', 'olive', 'proud', 'quiet', 'rapid',
  'silver', 'smart', 'tidy', 'urban', 'vivid', 'warm', 'witty', 'young', 'zealous', 'cosmic',
] as const;

const ANIMALS = [
  'albatross', 'badger', 'beaver', 'cheetah', 'cobra', 'dingo', 'eagle', 'ferret', 'gecko', 'heron',
  'ibis', 'jackal', 'koala', 'lemur', 'marmot', 'narwhal', 'ocelot', 'otter', 'panda', 'quail',
  'raven', 'salmon', 'tapir', 'tortoise', 'urchin', 'vulture', 'walrus', 'yak', 'zebra', 'mongoose',
] as const;

export function runSlug(random: SeededRandom): string {
  return `${random.pick(ADJECTIVES)}-${random.pick(ANIMALS)}`;
}

/** Flow names as data teams write them; past the list, a numeric suffix keeps them unique. */
const FLOW_NAMES = [
  'etl-orders', 'sync-customers', 'refresh-dashboards', 'train-churn-model', 'ingest-events',
  'backup-warehouse', 'score-leads', 'export-invoices', 'clean-staging', 'build-features',
  'send-digest', 'reconcile-payments', 'load-inventory', 'archive-logs', 'check-data-quality',
] as const;

export function flowName(index: number): string {
  const base = FLOW_NAMES[index % FLOW_NAMES.length];
  const round = Math.floor(index / FLOW_NAMES.length);
  return round === 0 ? base : `${base}-${round + 1}`;
}

const DEPLOYMENT_NAMES = ['production', 'staging', 'nightly', 'hourly', 'backfill', 'canary'] as const;

/** Unique per flow: the n-th deployment of a flow. */
export function deploymentName(indexWithinFlow: number): string {
  const base = DEPLOYMENT_NAMES[indexWithinFlow % DEPLOYMENT_NAMES.length];
  const round = Math.floor(indexWithinFlow / DEPLOYMENT_NAMES.length);
  return round === 0 ? base : `${base}-${round + 1}`;
}

/** Task functions a flow calls in order; task_key is name + a code hash, as Prefect forms it. */
export const TASK_NAMES = ['extract', 'validate', 'transform', 'enrich', 'load', 'notify'] as const;

/** Appends -2, -3 … until the name is not taken (appending to a database seeded before). */
export function untakenName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) if (!taken.has(`${name}-${n}`)) return `${name}-${n}`;
}
