import type {Knex} from 'knex';

import {refusedError} from '../errors.js';

import {postgresSchemaStatements} from '../schema/ddl/postgres.js';
import {sqliteSchemaStatements} from '../schema/ddl/sqlite.js';
import {headCatalogue} from '../schema/head.js';
import type {Dialect} from './dialect.js';
import {dropInvalidPostgresIndex} from './migration-helpers/postgres-index.js';
import {pythonJsonDumps} from './migration-helpers/python-json.js';
import {HEAD_REVISIONS} from './revisions.js';
import {readSqlStatements} from './sql-file.js';
import {copyColumns} from './migration-helpers/copy-columns.js';
import {pythonStrOfJson} from './migration-helpers/python-text.js';
import {sqliteBatchText} from './migration-helpers/sqlite-batch-text.js';
import {inLiveColumnOrder} from './migration-helpers/sqlite-live-column-order.js';
import {rebuildSqliteTable, type SqliteRebuild} from './sqlite-rebuild.js';

/**
 * What prefectdb hands each migration in migrations/ besides the connection. Those files
 * are plain JavaScript (so they run unchanged from a checkout and from an installed
 * package); what they share lives here.
 */
export interface MigrationKit {
  /**
   * The error a step throws when Prefect's own script would fail on the rows it finds: the
   * step's transaction rolls back and the command exits 4 with this message.
   */
  refuse(message: string): Error;
  dialectOf(knex: Knex): Dialect;
  /** DDL for Prefect's head schema, in execution order. */
  headSchemaStatements(dialect: Dialect): string[];
  headRevision(dialect: Dialect): string;
  tableNames(): string[];
  enumNames(): string[];
  /** The statements of a .sql file under migrations/ (`;` alone on a line ends each). */
  sqlFileStatements(relativePath: string): string[];
  /** A table rebuilt the way alembic's batch mode rebuilds it on SQLite. */
  rebuildSqliteTable(knex: Knex, rebuild: SqliteRebuild): Promise<void>;
  /** A rebuild's `copy` that carries the named columns across unchanged. */
  copyColumns(columns: string[]): Record<string, string>;
  /** Text pieces of alembic's SQLite batch rebuilds (src/db/migration-helpers/sqlite-batch-text.ts). */
  sqliteBatchText: typeof sqliteBatchText;
  /** A rebuild's columns put in the live table's order, as alembic's reflection keeps it (src/db/migration-helpers/sqlite-live-column-order.ts). */
  inLiveColumnOrder(knex: Knex, rebuild: SqliteRebuild): Promise<SqliteRebuild>;
  /** Drops an index an interrupted CREATE INDEX CONCURRENTLY left INVALID (PostgreSQL). */
  dropInvalidPostgresIndex(knex: Knex, name: string): Promise<void>;
  /** JSON text byte for byte as Python's json.dumps writes it (what Prefect's data migrations store). */
  pythonJsonDumps(value: unknown): string;
  /** Python's str(json.loads(text)): how Prefect's PostgreSQL variables downgrade writes a value back. */
  pythonStrOfJson(jsonText: string): string;
}

export const migrationKit: MigrationKit = {
  refuse: (message) => refusedError(message),
  // config.client may be a client class rather than a name, so the driver says which DDL to run.
  dialectOf(knex) {
    const driver = (knex.client as {driverName?: string}).driverName;
    if (driver === 'better-sqlite3') return 'sqlite';
    if (driver === 'pg') return 'postgres';
    throw new Error(`prefectdb's migrations support SQLite (better-sqlite3) and PostgreSQL (pg), not ${driver}`);
  },
  headSchemaStatements: (dialect) =>
    dialect === 'sqlite' ? sqliteSchemaStatements(headCatalogue) : postgresSchemaStatements(headCatalogue),
  headRevision: (dialect) => HEAD_REVISIONS[dialect],
  tableNames: () => headCatalogue.tables.map((table) => table.name),
  enumNames: () => headCatalogue.enums.map((type) => type.name),
  sqlFileStatements: readSqlStatements,
  rebuildSqliteTable,
  copyColumns,
  sqliteBatchText,
  inLiveColumnOrder,
  dropInvalidPostgresIndex,
  pythonJsonDumps,
  pythonStrOfJson,
};
