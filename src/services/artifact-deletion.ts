import {deleteArtifacts, artifactIdsOfKey, hasArtifactKey} from '../repositories/artifact-deletion.js';
import {type GoneArtifacts, rememberGone, repairCollections} from '../repositories/artifact-collections.js';
import {findArtifact} from '../repositories/artifacts.js';
import type {RepositoryContext} from '../repositories/common.js';
import {keysetSource, listSource, runInBatches} from './batches.js';

/**
 * `artifact delete KEY|ID`: every version of a key, or one version by id. After each batch the
 * key's collection is repaired in the same transaction — repointed to the newest remaining
 * version (by `created`) with its mirrored columns, or removed when none is left — as
 * Prefect's delete_artifact does for a single version.
 */
export interface ArtifactDeletionResult {
  key: string | null;
  id: string | null;
  deleted: {artifact: number; artifact_collection: number};
  updated: {artifact_collection: number};
}

export interface ArtifactTarget {
  key: string | null;
  /** Set when one version is deleted by id. */
  id: string | null;
  versions: number;
}

export async function findArtifactsToDelete(ctx: RepositoryContext, reference: string): Promise<ArtifactTarget> {
  if (await hasArtifactKey(ctx.db.knex, reference)) {
    const [{n}] = await ctx.db.knex('artifact').where('key', reference).count({n: '*'});
    return {key: reference, id: null, versions: Number(n)};
  }
  const artifact = await findArtifact(ctx, reference);
  return {key: artifact.key, id: artifact.id, versions: 1};
}

export async function deleteArtifactTarget(ctx: RepositoryContext, target: ArtifactTarget, options: {dryRun: boolean}): Promise<ArtifactDeletionResult> {
  const result: ArtifactDeletionResult = {key: target.key, id: target.id, deleted: {artifact: 0, artifact_collection: 0}, updated: {artifact_collection: 0}};
  const source = target.id !== null ? listSource([target.id]) : keysetSource((trx, after, size) => artifactIdsOfKey(trx, target.key as string, after, size), (id) => id);
  const goneInDryRun: GoneArtifacts | undefined = options.dryRun ? new Map() : undefined;
  await runInBatches({
    db: ctx.db,
    source,
    dryRun: options.dryRun,
    apply: async (trx, ids) => {
      const {deleted, keys} = await deleteArtifacts(trx, ids);
      result.deleted.artifact += deleted;
      if (target.key !== null) rememberGone(goneInDryRun, ids.map((id) => ({id, key: target.key})));
      for (const change of await repairCollections(ctx, trx, keys, new Date().toISOString(), {goneInDryRun})) {
        if (change.action === 'removed') result.deleted.artifact_collection += 1;
        else result.updated.artifact_collection += 1;
      }
    },
  });
  return result;
}
