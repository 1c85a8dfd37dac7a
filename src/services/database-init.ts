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
 * Builds Prefect's head schema on an empty database, or with `to` (a revision, a Prefect
 * release or head) the schema of that revision through Prefect's chain from 2.13.0. A
 * database Prefect built is moved with `db upgrade` / `db downgrade`, not here; a non-empty
 * foreign one is refused.
 */
export async function initDatabase(db: Database, schema: SchemaInfo, to?: string): Promise<InitResult> {
  const base = {dialect: db.dialect, url: db.target.display};
  if (to !== undefined && schema.kind === 'prefect') {
    return {
      ...base,
      action: 'left-to-prefect',
      alembic_revision: schema.revision,
      message: `already a Prefect database at revision ${schema.revision}; nothing to do (move it with prefectdb db upgrade / db downgrade --to ${to})`,
    };
  }
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
  if (to !== undefined) return buildThroughChain(db, to, base);
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

async function buildThroughChain(db: Database, to: string, base: {dialect: string; url: string}): Promise<InitResult> {
  const {buildAtRevision} = await import('./migrations/apply.js');
  const steps = await buildAtRevision(db.knex, db.dialect, to);
  const last = steps[steps.length - 1];
  return {
    ...base,
    action: 'created',
    alembic_revision: last.revision,
    message: `created Prefect's schema at revision ${last.revision} (Prefect ${last.release}, ${db.dialect}) through ${steps.length} migration${steps.length === 1 ? '' : 's'} of its chain`,
  };
}
