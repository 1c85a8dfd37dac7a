import {statSync} from 'node:fs';

import type {Database} from '../db/connection.js';
import type {SchemaInfo} from '../db/schema-info.js';
import {repositoryContext} from './common.js';
import {estimatedRowCount} from './row-estimates.js';

/** The tables `db status` counts: the ones an operator asks about first. */
export const STATUS_TABLES = [
  'flow',
  'flow_run',
  'flow_run_state',
  'task_run',
  'task_run_state',
  'deployment',
  'deployment_schedule',
  'work_pool',
  'work_queue',
  'worker',
  'block_type',
  'block_schema',
  'block_document',
  'artifact',
  'log',
  'variable',
  'concurrency_limit_v2',
  'automation',
  'events',
] as const;

/** Below this many rows (by estimate) a table is counted exactly: a count that small is cheap. */
export const EXACT_COUNT_BELOW = 100_000;

export interface RowCounts {
  counts: Record<string, number | null>;
  /** The tables whose count is an estimate (see estimatedRowCount), in STATUS_TABLES order. */
  estimated: string[];
}

/**
 * Row counts per table; a table missing at this revision counts as null. Counting every row
 * reads whole tables (a minute on a cold 20 GB file), so big tables get the database's own
 * estimate unless `exact` is asked for.
 */
export async function countRows(
  db: Database,
  schema: SchemaInfo,
  {exact = false, exactBelow = EXACT_COUNT_BELOW}: {exact?: boolean; exactBelow?: number} = {},
): Promise<RowCounts> {
  const ctx = repositoryContext(db, schema);
  const counts: Record<string, number | null> = {};
  const estimated: string[] = [];
  for (const table of STATUS_TABLES) {
    if (!schema.hasTable(table)) {
      counts[table] = null;
      continue;
    }
    const estimate = exact ? undefined : await estimatedRowCount(ctx, table).catch(() => undefined);
    if (estimate !== undefined && estimate >= exactBelow) {
      counts[table] = estimate;
      estimated.push(table);
      continue;
    }
    const [row] = await db.knex(table).count({count: '*'});
    counts[table] = Number(row.count);
  }
  return {counts, estimated};
}

export interface SqliteFileFacts {
  journal_mode: string;
  file_size_bytes: number;
  wal_size_bytes: number | null;
}

export async function sqliteFileFacts(db: Database, filename: string): Promise<SqliteFileFacts> {
  const [row] = await db.knex.raw('pragma journal_mode');
  // A read in a folder prefectdb may not write works on an in-memory copy ("memory"): say what the file is.
  const {inWalMode} = await import('../db/sqlite-access.js');
  const journalMode = row.journal_mode === 'memory' ? (inWalMode(filename) ? 'wal' : 'delete') : String(row.journal_mode);
  return {
    journal_mode: journalMode,
    file_size_bytes: statSync(filename).size,
    wal_size_bytes: fileSize(`${filename}-wal`),
  };
}

export interface PostgresServerFacts {
  server_version: string;
  schema: string;
  database_size_bytes: number;
}

export async function postgresServerFacts(db: Database): Promise<PostgresServerFacts> {
  const {rows} = await db.knex.raw(
    `select current_setting('server_version') as server_version, current_schema() as schema,
            pg_database_size(current_database()) as database_size_bytes`,
  );
  return rows[0];
}

function fileSize(filename: string): number | null {
  try {
    return statSync(filename).size;
  } catch {
    return null;
  }
}
