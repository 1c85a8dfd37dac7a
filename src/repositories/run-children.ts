import {whereIdIn} from '../db/sql-dialect.js';
import {type Db, type RepositoryContext, type Row} from './common.js';
import {LOOKUP_CHUNK} from './run-states.js';

/**
 * The children of cancelled flow runs that Prefect's cancellation-cleanup service goes
 * after: task runs not yet in a terminal state, and subflow runs still in motion.
 */

const NON_TERMINAL_TYPES = ['SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING'];

export async function nonTerminalTaskRunIds(ctx: RepositoryContext, db: Db, flowRunIds: readonly string[]): Promise<string[]> {
  return idsInChunks(ctx, flowRunIds, (chunk) =>
    db('task_run').select('id').where((q) => whereIdIn(q, 'flow_run_id', chunk)).whereIn('state_type', NON_TERMINAL_TYPES).orderBy('id'),
  );
}

/** Subflow runs of these flow runs (through their parent task runs) that are not terminal. */
export async function activeSubflowRunIds(ctx: RepositoryContext, db: Db, flowRunIds: readonly string[]): Promise<string[]> {
  return idsInChunks(ctx, flowRunIds, (chunk) =>
    db('flow_run')
      .select('id')
      .whereIn('parent_task_run_id', db('task_run').select('id').where((q) => whereIdIn(q, 'flow_run_id', chunk)))
      // Not by the state_type index: SQLite would walk every non-terminal run of the database
      // (800 ms cold on 1M runs) instead of the few children of this batch.
      .whereIn(ctx.sql.withoutIndex('state_type') as unknown as string, NON_TERMINAL_TYPES)
      .orderBy('id'),
  );
}

async function idsInChunks(ctx: RepositoryContext, ids: readonly string[], query: (chunk: string[]) => Promise<Row[]>): Promise<string[]> {
  const found: string[] = [];
  for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
    for (const row of await query(ids.slice(start, start + LOOKUP_CHUNK))) found.push(ctx.db.codec.decodeUuid(row.id) as string);
  }
  return found;
}
