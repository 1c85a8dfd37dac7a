import type {Database} from '../db/connection.js';
import type {Dialect} from '../db/dialect.js';
import type {DatabaseKind, SchemaInfo} from '../db/schema-info.js';
import type {DatabaseSource} from '../db/url.js';
import {
  countRows,
  postgresServerFacts,
  type PostgresServerFacts,
  sqliteFileFacts,
  type SqliteFileFacts,
} from '../repositories/database-stats.js';

export interface DatabaseStatus {
  dialect: Dialect;
  source: DatabaseSource;
  url: string;
  kind: DatabaseKind;
  alembic_revision: string | null;
  prefect_release: string | null;
  is_head: boolean;
  known_revision: boolean;
  created_by_prefectdb: boolean;
  readable: boolean;
  writable: boolean;
  row_counts: Record<string, number | null>;
  /** Tables whose row count is an estimate from the database's own bookkeeping, not a count. */
  estimated_row_counts: string[];
  sqlite: SqliteFileFacts | null;
  postgres: PostgresServerFacts | null;
}

export async function describeDatabase(db: Database, schema: SchemaInfo, {exactCounts = false}: {exactCounts?: boolean} = {}): Promise<DatabaseStatus> {
  const known = schema.known;
  const isPrefect = schema.kind === 'prefect';
  const rows = isPrefect ? await countRows(db, schema, {exact: exactCounts}) : {counts: {}, estimated: []};
  return {
    dialect: db.dialect,
    source: db.target.source,
    url: db.target.display,
    kind: schema.kind,
    alembic_revision: schema.revision,
    prefect_release: known?.release ?? null,
    is_head: known?.isHead ?? false,
    known_revision: Boolean(known),
    created_by_prefectdb: schema.createdByPrefectdb,
    readable: isPrefect,
    writable: isPrefect && Boolean(known),
    row_counts: rows.counts,
    estimated_row_counts: rows.estimated,
    sqlite: db.target.dialect === 'sqlite' ? await sqliteFileFacts(db, db.target.filename) : null,
    postgres: db.dialect === 'postgres' ? await postgresServerFacts(db) : null,
  };
}
