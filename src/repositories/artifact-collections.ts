import type {Knex} from 'knex';

import type {Db, RepositoryContext} from './common.js';
import {chunks} from './run-deletion.js';

/**
 * artifact_collection keeps, per key, a copy of the newest artifact version. When versions
 * are deleted, a collection whose latest_id no longer names an artifact is repointed to the
 * newest remaining version of its key (by `created`, as Prefect's delete_artifact picks it),
 * its mirrored columns copied from that version and `updated` bumped, or removed when no
 * version is left. Used by run, flow and artifact deletes and by `db clean`'s orphan sweep.
 */

export interface CollectionChange {
  key: string;
  /** The artifact the collection named before: the one whose deletion moved it. */
  previousLatestId: string;
  action: 'repointed' | 'removed';
}

/**
 * Artifacts deleted by earlier batches of a dry run, by key: those batches were rolled back,
 * so the database still holds them, but the real run would not find them.
 */
export type GoneArtifacts = Map<string, Set<string>>;

export function rememberGone(gone: GoneArtifacts | undefined, artifacts: Iterable<{id: string; key: string | null}>): void {
  if (!gone) return;
  for (const artifact of artifacts) {
    if (artifact.key === null) continue;
    const ids = gone.get(artifact.key) ?? new Set<string>();
    ids.add(artifact.id);
    gone.set(artifact.key, ids);
  }
}

// Copied from the artifact row inside SQL, so JSON and timestamps keep their stored form.
const MIRRORED = ['data', 'description', 'type', 'created', 'flow_run_id', 'task_run_id', 'metadata_'];

/**
 * Repairs the collections of `keys` (every collection when `keys` is undefined) whose latest
 * artifact no longer exists. Call after the artifacts are deleted, in the same transaction.
 */
export async function repairCollections(
  ctx: RepositoryContext,
  trx: Knex.Transaction,
  keys: readonly string[] | undefined,
  now: string,
  options: {limit?: number; archive?: (table: string, rows: Array<Record<string, unknown>>) => void | Promise<void>; goneInDryRun?: GoneArtifacts} = {},
): Promise<CollectionChange[]> {
  const gone = options.goneInDryRun;
  const dangling = await danglingCollections(trx, keys, options.limit);
  if (gone && keys) {
    const seen = new Set(dangling.map((c) => c.id));
    for (const part of chunks([...new Set(keys)])) {
      const rows: Array<{id: string; key: string; latest_id: string}> = await trx('artifact_collection').whereIn('key', part).select('id', 'key', 'latest_id');
      for (const row of rows) {
        const latestId = String(row.latest_id).toLowerCase();
        if (!seen.has(String(row.id)) && gone.get(row.key)?.has(latestId)) dangling.push({id: String(row.id), key: row.key, latestId});
      }
    }
  }
  const changes: CollectionChange[] = [];
  const mirrored = MIRRORED.filter((column) => ctx.schema.hasColumn('artifact_collection', column) && ctx.schema.hasColumn('artifact', column));
  for (const collection of dangling) {
    const next: {id: string} | undefined = await trx('artifact')
      .where('key', collection.key)
      .whereNotIn('id', [...(gone?.get(collection.key) ?? [])])
      .orderBy([{column: 'created', order: 'desc'}, {column: 'id', order: 'desc'}])
      .first('id');
    if (!next) {
      if (options.archive) await options.archive('artifact_collection', await trx('artifact_collection').where('id', collection.id).select('*'));
      await trx('artifact_collection').where('id', collection.id).delete();
      changes.push({key: collection.key, previousLatestId: collection.latestId, action: 'removed'});
      continue;
    }
    const copy: Record<string, unknown> = {latest_id: next.id, updated: ctx.db.codec.encodeTimestamp(now)};
    for (const column of mirrored) copy[column] = trx('artifact').where('id', next.id).select(column);
    await trx('artifact_collection').where('id', collection.id).update(copy);
    changes.push({key: collection.key, previousLatestId: collection.latestId, action: 'repointed'});
  }
  return changes;
}

/** Collections whose latest_id names no artifact, for `keys` or all of them (in key order, after `afterKey`). */
export async function danglingCollections(db: Db, keys: readonly string[] | undefined, limit?: number, afterKey?: string): Promise<Array<{id: string; key: string; latestId: string}>> {
  const select = (qb: Knex.QueryBuilder) => {
    qb.whereNotExists((sub) => sub.from('artifact').whereRaw('artifact.id = artifact_collection.latest_id').select(db.raw('1')));
    if (limit !== undefined) qb.limit(limit);
    if (afterKey !== undefined) qb.where('key', '>', afterKey);
    return qb.select('id', 'key', {latest_id: 'latest_id'}).orderBy('key');
  };
  const rows: Array<{id: string; key: string; latest_id: string | null}> = [];
  if (keys === undefined) rows.push(...(await select(db('artifact_collection'))));
  else for (const part of chunks([...new Set(keys)])) rows.push(...(await select(db('artifact_collection').whereIn('key', part))));
  return rows.map((r) => ({id: String(r.id), key: r.key, latestId: String(r.latest_id ?? '').toLowerCase()}));
}
