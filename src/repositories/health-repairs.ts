import type {Knex} from 'knex';

import type {Database} from '../db/connection.js';
import {readOffThread} from '../db/off-thread.js';
import type {RepositoryContext} from './common.js';

/** The row changes `db doctor --fix` makes that need no state change. */

export async function deleteByIds(ctx: RepositoryContext, trx: Knex.Transaction, table: string, ids: readonly string[]): Promise<number> {
  return trx(table).whereIn('id', ids.map((id) => ctx.db.codec.encodeUuid(id))).delete();
}

/** One row `PRAGMA foreign_key_check` reports, with the action its foreign key takes on delete. */
export interface ForeignKeyViolation {
  table: string;
  rowid: number;
  parent: string;
  column: string;
  onDelete: string;
}

type ForeignKeyCheckRow = {table: string; rowid: number; parent: string; fkid: number};

/**
 * SQLite only: the rows whose foreign keys point at nothing (possible when a writer turned
 * foreign_keys off). Given the database rather than a transaction, the whole-file check
 * runs in a thread of its own (db/off-thread.ts) while this one goes on.
 */
export async function foreignKeyViolations(source: Database | Knex.Transaction, signal?: AbortSignal): Promise<ForeignKeyViolation[]> {
  const sql = 'pragma foreign_key_check';
  // A Knex transaction is a function; the database is a plain record.
  const knex = typeof source === 'function' ? source : source.knex;
  const offThread = typeof source === 'function' ? undefined : readOffThread(source, sql, [], signal);
  const rows = (await (offThread ?? knex.raw(sql))) as ForeignKeyCheckRow[];
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

/**
 * What SQLite's own check reports. `quick_check` reads the file once (page structure, record
 * format, constraints) but does not look indexes up against their tables; `integrity_check`
 * also does, at the cost of a lookup per index entry.
 */
export async function integrityProblems(db: Database, {full = false, signal}: {full?: boolean; signal?: AbortSignal} = {}): Promise<string[]> {
  const pragma = full ? 'integrity_check' : 'quick_check';
  const sql = `pragma ${pragma}`;
  // The longest single statement of the doctor: in a thread of its own, so other checks run meanwhile.
  const rows = (await (readOffThread(db, sql, [], signal) ?? db.knex.raw(sql))) as Array<Record<string, string>>;
  return rows.map((row) => row[pragma]).filter((line) => line !== 'ok');
}

/** Rebuilds every index from its table: what repairs index entries missing or left over. */
export async function reindex(knex: Knex): Promise<void> {
  await knex.raw('reindex');
}
