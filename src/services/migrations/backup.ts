import {existsSync} from 'node:fs';
import path from 'node:path';

import type {Database} from '../../db/connection.js';
import {refusedError, usageError} from '../../errors.js';
import {sqliteBackupInto} from '../../repositories/migration-facts.js';

/** Refuses a --backup that cannot be made, before the plan is shown or anything asked. */
export function checkBackupPath(db: Database, backup: string): string {
  if (db.dialect !== 'sqlite') {
    throw usageError('--backup copies a SQLite file; back a PostgreSQL database up with pg_dump before migrating it');
  }
  const resolved = path.resolve(backup);
  if (existsSync(resolved)) throw refusedError(`--backup ${backup.slice(0, 80)} already exists: name a new file (nothing was changed)`);
  if (!existsSync(path.dirname(resolved))) throw usageError(`--backup ${backup.slice(0, 80)}: the folder ${path.dirname(resolved)} does not exist`);
  return resolved;
}

/** SQLite's VACUUM INTO: a consistent, compact copy of the file as it is before migrating. */
export async function backupSqlite(db: Database, resolvedPath: string): Promise<void> {
  await sqliteBackupInto(db.knex, resolvedPath);
}
