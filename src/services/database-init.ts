import type {Database} from '../db/connection.js';
import {HEAD_REVISIONS} from '../db/revisions.js';
import type {SchemaInfo} from '../db/schema-info.js';
import {refusedError} from '../errors.js';

export type InitAction = 'created' | 'up-to-date' | 'left-to-prefect';

export interface InitResult {
  action: InitAction;
  dialect: string;
  url: string;
  alembic_revision: string | null;
  message: string;
}

/**
 * Builds Prefect's head schema on an empty database. A database Prefect built is Prefect's
 * to migrate (`prefect server database upgrade`); a non-empty foreign one is refused.
 */
export async function initDatabase(db: Database, schema: SchemaInfo): Promise<InitResult> {
  const base = {dialect: db.dialect, url: db.target.display};
  if (schema.kind === 'prefect' && !schema.createdByPrefectdb) {
    return {
      ...base,
      action: 'left-to-prefect',
      alembic_revision: schema.revision,
      message: `already a Prefect database at revision ${schema.revision}; nothing to do (Prefect migrates its own databases: prefect server database upgrade)`,
    };
  }
  if (schema.kind === 'other' && !schema.createdByPrefectdb) {
    throw refusedError(
      `refusing to initialise ${db.target.display}: it already holds tables and is not a Prefect database (point --db at an empty database or a new file)`,
    );
  }
  const {migrateToHead} = await import('../db/migrate.js');
  const applied = await migrateToHead(db.knex, db.dialect);
  const revision = HEAD_REVISIONS[db.dialect];
  return {
    ...base,
    action: applied > 0 ? 'created' : 'up-to-date',
    alembic_revision: revision,
    message:
      applied > 0
        ? `created Prefect's schema at revision ${revision} (${db.dialect})`
        : `schema already at revision ${revision}; nothing to do`,
  };
}
