import type {Knex} from 'knex';

import {whereIdIn} from '../db/sql-dialect.js';

/** A page of the ids of a key's artifact versions, in id order, after `after`. */
export async function artifactIdsOfKey(trx: Knex.Transaction, key: string, after: string | undefined, size: number): Promise<string[]> {
  const query = trx('artifact').where('key', key).orderBy('id').limit(size).select('id');
  if (after !== undefined) query.where('id', '>', after);
  return ((await query) as Array<{id: string}>).map((r) => String(r.id).toLowerCase());
}

export async function hasArtifactKey(db: Knex, key: string): Promise<boolean> {
  return (await db('artifact').where('key', key).first('id')) !== undefined;
}

/** Deletes artifacts by id; returns their keys (for the collection repair that must follow). */
export async function deleteArtifacts(trx: Knex.Transaction, ids: readonly string[]): Promise<{deleted: number; keys: string[]}> {
  const rows: Array<{key: string | null}> = await trx('artifact').where((q) => whereIdIn(q, 'id', ids)).select('key');
  const deleted = Number(await trx('artifact').where((q) => whereIdIn(q, 'id', ids)).delete());
  return {deleted, keys: [...new Set(rows.map((r) => r.key).filter((key): key is string => key !== null))]};
}
