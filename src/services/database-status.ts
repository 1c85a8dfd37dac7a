import type {Database} from '../db/connection.js';
import type {Dialect} from '../db/dialect.js';
import type {ChainStep} from '../db/migration-chain.js';
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
  /** Migrations of prefectdb's chain between the database's revision and the head; null when the revision is not in the chain. */
  migrations_behind_head: number | null;
  known_revision: boolean;
  created_by_prefectdb: boolean;
  readable: boolean;
  writable: boolean;
  /** Why writes are refused; null when writable. */
  unwritable_reason: string | null;
  row_counts: Record<string, number | null>;
  /** Tables whose row count is an estimate from the database's own bookkeeping, not a count. */
  estimated_row_counts: string[];
  sqlite: SqliteFileFacts | null;
  postgres: PostgresServerFacts | null;
}

export async function describeDatabase(db: Database, schema: SchemaInfo, {exactCounts = false}: {exactCounts?: boolean} = {}): Promise<DatabaseStatus> {
  const known = schema.known;
  const isPrefect = schema.kind === 'prefect';
  const unwritableReason = await whyUnwritable(db, schema);
  const rows = isPrefect ? await countRows(db, schema, {exact: exactCounts}) : {counts: {}, estimated: []};
  return {
    dialect: db.dialect,
    source: db.target.source,
    url: db.target.display,
    kind: schema.kind,
    alembic_revision: schema.revision,
    prefect_release: known?.release ?? null,
    is_head: known?.isHead ?? false,
    migrations_behind_head: isPrefect ? await migrationsBehindHead(db.dialect, schema.revision) : null,
    known_revision: Boolean(known),
    created_by_prefectdb: schema.createdByPrefectdb,
    readable: isPrefect,
    writable: unwritableReason === null,
    unwritable_reason: unwritableReason,
    row_counts: rows.counts,
    estimated_row_counts: rows.estimated,
    sqlite: db.target.dialect === 'sqlite' ? await sqliteFileFacts(db, db.target.filename) : null,
    postgres: db.dialect === 'postgres' ? await postgresServerFacts(db) : null,
  };
}

async function whyUnwritable(db: Database, schema: SchemaInfo): Promise<string | null> {
  if (schema.kind !== 'prefect') return 'not a Prefect database';
  const access =
    db.target.dialect === 'sqlite'
      ? (await import('../db/sqlite-access.js')).sqliteWriteBlocker(db.target.filename)
      : await (await import('../db/write-access.js')).postgresWriteBlocker(db.knex);
  if (access) return access;
  if (!schema.known) return 'unknown revision: writes need --allow-unknown-revision';
  return null;
}

async function migrationsBehindHead(dialect: Dialect, revision: string | null): Promise<number | null> {
  let chain: ChainStep[];
  try {
    // Loaded here, not at start-up: the chain pulls in every migration file and the migration kit.
    const {loadChain} = await import('../db/migration-chain.js');
    chain = await loadChain(dialect);
  } catch {
    return null; // status describes the database; a chain that does not load is not its problem
  }
  const index = chain.findIndex((step) => step.revision === revision);
  return index < 0 ? null : chain.length - 1 - index;
}
