import type {Knex} from 'knex';

import {refusedError, unavailableError} from '../errors.js';
import type {Dialect} from './dialect.js';
import {type KnownRevision, lookupRevision} from './revisions.js';

/** prefectdb's own Knex bookkeeping table; never collides with Prefect's alembic_version. */
export const PREFECTDB_MIGRATIONS_TABLE = 'prefectdb_migrations';

export type DatabaseKind = 'prefect' | 'empty' | 'other';

/** What the live database holds: its revision and which tables and columns exist. */
export class SchemaInfo {
  constructor(
    readonly dialect: Dialect,
    readonly columns: ReadonlyMap<string, ReadonlySet<string>>,
    readonly revision: string | null,
  ) {}

  get known(): KnownRevision | undefined {
    return this.revision ? lookupRevision(this.dialect, this.revision) : undefined;
  }

  get createdByPrefectdb(): boolean {
    return this.columns.has(PREFECTDB_MIGRATIONS_TABLE);
  }

  get kind(): DatabaseKind {
    if (this.columns.has('alembic_version')) return 'prefect';
    return this.columns.size === 0 ? 'empty' : 'other';
  }

  hasTable(table: string): boolean {
    return this.columns.has(table);
  }

  hasColumn(table: string, column: string): boolean {
    return this.columns.get(table)?.has(column) ?? false;
  }

  /** Warning for stderr when reads go ahead on a revision prefectdb does not know. */
  get readWarning(): string | undefined {
    if (this.kind !== 'prefect' || this.known) return undefined;
    return `unknown alembic revision ${this.revision ?? '(none)'} for ${this.dialect}; reading anyway, but fields may be missing`;
  }

  /** Refuses writes to a database whose revision prefectdb cannot vouch for. */
  assertWritable(allowUnknownRevision = false): void {
    this.assertPrefect();
    if (this.known || allowUnknownRevision) return;
    throw refusedError(
      `refusing to write: alembic revision ${this.revision ?? '(none)'} is unknown to prefectdb (pass --allow-unknown-revision to write anyway)`,
    );
  }

  assertPrefect(): void {
    if (this.kind === 'prefect') return;
    throw unavailableError(
      this.kind === 'empty'
        ? 'the database is empty, not a Prefect database (create the schema with `prefectdb db init`)'
        : 'not a Prefect database: it has no alembic_version table (check --db / PREFECTDB_DATABASE_URL)',
    );
  }
}

export async function readSchemaInfo(knex: Knex, dialect: Dialect): Promise<SchemaInfo> {
  const rows: Array<{table_name: string; column_name: string}> =
    dialect === 'sqlite'
      ? await knex.raw(
          `select m.name as table_name, p.name as column_name
             from sqlite_master m join pragma_table_info(m.name) p
            where m.type = 'table' and m.name not like 'sqlite\\_%' escape '\\'`,
        )
      : (
          await knex.raw(
            `select table_name, column_name from information_schema.columns
              where table_schema = current_schema()`,
          )
        ).rows;
  const columns = new Map<string, Set<string>>();
  for (const {table_name, column_name} of rows) {
    let set = columns.get(table_name);
    if (!set) columns.set(table_name, (set = new Set()));
    set.add(column_name);
  }
  let revision: string | null = null;
  if (columns.has('alembic_version')) {
    const versions = await knex('alembic_version').select('version_num');
    revision = versions[0]?.version_num ?? null;
  }
  return new SchemaInfo(dialect, columns, revision);
}
