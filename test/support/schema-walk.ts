import {readFileSync} from 'node:fs';

import type {Dialect} from '../../src/db/dialect.js';
import type {SchemaSnapshot} from '../../src/db/schema-snapshot.js';

/** Where prefectdb's chain starts: Prefect 2.13.0. */
export const BASELINE: Record<Dialect, string> = {sqlite: 'c2d001b7dd06', postgres: '50f8c182c3ca'};

/** A change to a snapshot: key → new description, or null where the object is gone. */
export type SnapshotDelta = Record<string, string | null>;

/**
 * The schemas Prefect's own scripts leave along the chain (test/fixtures/migrations/
 * schemas-<dialect>.json, made by generate-schemas.ts): the baseline in full, each upgrade
 * as a change to the revision before, each downgrade as a change to the upgrade-built
 * schema of the revision it lands on (usually none; where Prefect's downgrade leaves quirks,
 * they show here).
 */
export interface SchemaWalk {
  revisions: string[];
  base: Record<string, string>;
  up: Record<string, SnapshotDelta>;
  down: Record<string, SnapshotDelta>;
}

export function snapshotDelta(from: SchemaSnapshot, to: SchemaSnapshot): SnapshotDelta {
  const delta: SnapshotDelta = {};
  for (const [key, value] of to) if (from.get(key) !== value) delta[key] = value;
  for (const key of from.keys()) if (!to.has(key)) delta[key] = null;
  return delta;
}

export function applyDelta(snapshot: SchemaSnapshot, delta: SnapshotDelta): SchemaSnapshot {
  const result = new Map(snapshot);
  for (const [key, value] of Object.entries(delta)) {
    if (value === null) result.delete(key);
    else result.set(key, value);
  }
  return result;
}

export function loadSchemaWalk(dialect: Dialect): SchemaWalk {
  return JSON.parse(readFileSync(new URL(`../fixtures/migrations/schemas-${dialect}.json`, import.meta.url), 'utf8')) as SchemaWalk;
}

/** Prefect's schema at `revision` as its upgrade from an empty database leaves it. */
export function upgradedSchema(walk: SchemaWalk, revision: string): SchemaSnapshot {
  let snapshot: SchemaSnapshot = new Map(Object.entries(walk.base));
  for (const step of walk.revisions.slice(1)) {
    snapshot = applyDelta(snapshot, walk.up[step]);
    if (step === revision) return snapshot;
  }
  if (revision === walk.revisions[0]) return snapshot.size ? new Map(Object.entries(walk.base)) : snapshot;
  throw new Error(`revision ${revision} is not in the chain`);
}

/** Prefect's schema at `revision` as its downgrade from the head leaves it. */
export function downgradedSchema(walk: SchemaWalk, revision: string): SchemaSnapshot {
  return applyDelta(upgradedSchema(walk, revision), walk.down[revision] ?? {});
}
