import type {Knex} from 'knex';

import {findColumn} from '../schema/head.js';
import {decodeRow, type RepositoryContext, type Row} from './common.js';

/** The row changes `db doctor --fix` makes that need no state change. */

export async function deleteByIds(ctx: RepositoryContext, trx: Knex.Transaction, table: string, ids: readonly string[]): Promise<number> {
  return trx(table).whereIn('id', ids.map((id) => ctx.db.codec.encodeUuid(id))).delete();
}

const COLLECTION_COPIED_COLUMNS = ['task_run_id', 'flow_run_id', 'type', 'data', 'description', 'metadata_'] as const;

/**
 * Points each collection at the newest artifact left with its key, copying that artifact's
 * fields as Prefect keeps them on the collection; a collection with no artifact left is removed.
 */
export async function repointCollections(ctx: RepositoryContext, trx: Knex.Transaction, collectionIds: readonly string[], now: string): Promise<void> {
  const {codec} = ctx.db;
  const copied = COLLECTION_COPIED_COLUMNS.filter((column) => ctx.schema.hasColumn('artifact_collection', column) && ctx.schema.hasColumn('artifact', column));
  const collections: Row[] = await trx('artifact_collection').whereIn('id', collectionIds.map((id) => codec.encodeUuid(id))).select('id', 'key');
  for (const collection of collections) {
    const newest: Row | undefined = await trx('artifact')
      .where('key', collection.key as string)
      .orderBy([{column: 'created', order: 'desc'}, {column: 'id', order: 'desc'}])
      .first('id', ...copied);
    if (!newest) {
      await trx('artifact_collection').where('id', collection.id as string).delete();
      continue;
    }
    const decoded = decodeRow(ctx, 'artifact', newest);
    const values: Row = {latest_id: newest.id, updated: codec.encodeTimestamp(now)};
    for (const column of copied) values[column] = codec.encode(findColumn('artifact', column)?.type ?? 'string', decoded[column]);
    await trx('artifact_collection').where('id', collection.id as string).update(values);
  }
}

/** Collections whose latest_id is one of these artifacts (to repoint once they are deleted). */
export async function collectionsPointingAt(ctx: RepositoryContext, trx: Knex.Transaction, artifactIds: readonly string[]): Promise<string[]> {
  const rows: Row[] = await trx('artifact_collection').whereIn('latest_id', artifactIds.map((id) => ctx.db.codec.encodeUuid(id))).select('id');
  return rows.map((row) => ctx.db.codec.decodeUuid(row.id) as string);
}

/** One row `PRAGMA foreign_key_check` reports, with the action its foreign key takes on delete. */
export interface ForeignKeyViolation {
  table: string;
  rowid: number;
  parent: string;
  column: string;
  onDelete: string;
}

/** SQLite only: the rows whose foreign keys point at nothing (possible when a writer turned foreign_keys off). */
export async function foreignKeyViolations(knex: Knex | Knex.Transaction): Promise<ForeignKeyViolation[]> {
  const rows: Array<{table: string; rowid: number; parent: string; fkid: number}> = await knex.raw('pragma foreign_key_check');
  const keys = new Map<string, Array<{id: number; from: string; on_delete: string}>>();
  const out: ForeignKeyViolation[] = [];
  for (const row of rows) {
    if (!keys.has(row.table)) keys.set(row.table, await knex.raw('select * from pragma_foreign_key_list(?)', [row.table]));
    const key = keys.get(row.table)?.find((k) => k.id === row.fkid);
    out.push({table: row.table, rowid: row.rowid, parent: row.parent, column: key?.from ?? '?', onDelete: (key?.on_delete ?? 'NO ACTION').toUpperCase()});
  }
  return out;
}

/**
 * Does to a violating row what its foreign key would have done had the parent been deleted
 * with foreign keys on: CASCADE deletes it, SET NULL clears the column. Other actions
 * leave it (reported).
 */
export async function applyForeignKeyAction(trx: Knex.Transaction, violation: ForeignKeyViolation): Promise<boolean> {
  if (violation.onDelete === 'CASCADE') {
    await trx.raw('delete from ?? where rowid = ?', [violation.table, violation.rowid]);
    return true;
  }
  if (violation.onDelete === 'SET NULL') {
    await trx.raw('update ?? set ?? = null where rowid = ?', [violation.table, violation.column, violation.rowid]);
    return true;
  }
  return false;
}

export async function integrityProblems(knex: Knex): Promise<string[]> {
  const rows: Array<{integrity_check: string}> = await knex.raw('pragma integrity_check');
  return rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
}

/** Rebuilds every index from its table: what repairs index entries missing or left over. */
export async function reindex(knex: Knex): Promise<void> {
  await knex.raw('reindex');
}
