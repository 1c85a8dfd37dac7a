import {usageError} from '../errors.js';
import {decodeRow, limitedList, type RepositoryContext, type Row, type LimitedRows} from './common.js';

/** A log row as Prefect's REST API names its fields. */
export interface LogRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  level: number;
  flow_run_id: string | null;
  task_run_id: string | null;
  message: string;
  timestamp: string;
}

const LOG_COLUMNS = ['id', 'created', 'updated', 'name', 'level', 'flow_run_id', 'task_run_id', 'message', 'timestamp'] as const;

// Python's logging levels, which Prefect stores as numbers in log.level.
const LEVEL_NAMES: Readonly<Record<number, string>> = {10: 'DEBUG', 20: 'INFO', 30: 'WARNING', 40: 'ERROR', 50: 'CRITICAL'};
const LEVEL_NUMBERS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(Object.entries(LEVEL_NAMES).map(([number, name]) => [name, Number(number)])),
  WARN: 30,
  FATAL: 50,
};

/** A level given as a name (INFO, warning) or a number (30). */
export function parseLogLevel(text: string): number {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const level = LEVEL_NUMBERS[value.toUpperCase()];
  if (level === undefined) throw usageError(`unknown log level "${text}": use DEBUG, INFO, WARNING, ERROR, CRITICAL or a number`);
  return level;
}

/** The name Python's logging gives a level ("Level 25" for one without a name). */
export function logLevelName(level: number): string {
  return LEVEL_NAMES[level] ?? `Level ${level}`;
}

export interface LogReadOptions {
  /** Only logs at this level or above. */
  minLevel?: number;
  /** The first N logs. */
  head?: number;
  /** The last N logs (still printed oldest first). */
  tail?: number;
}

/**
 * A flow run's logs (its task runs' included), oldest first by timestamp then id, the order
 * Prefect shows them in. The (flow_run_id, timestamp) index serves both ends.
 */
export async function readFlowRunLogs(
  ctx: RepositoryContext,
  flowRunId: string,
  options: LogReadOptions,
): Promise<LimitedRows<LogRecord>> {
  const query = ctx.db.knex('log').select(LOG_COLUMNS).where('flow_run_id', flowRunId);
  if (options.minLevel !== undefined) query.where('level', '>=', options.minLevel);
  const fetch = async (qb: typeof query) => ((await qb) as Row[]).map((raw) => toLog(ctx, raw));
  if (options.tail === undefined) {
    return limitedList(query.orderBy([{column: 'timestamp'}, {column: 'id'}]), options.head, fetch);
  }
  const newestFirst = query.orderBy([
    {column: 'timestamp', order: 'desc'},
    {column: 'id', order: 'desc'},
  ]);
  const page = await limitedList(newestFirst, options.tail, fetch);
  return {...page, rows: page.rows.reverse()};
}

function toLog(ctx: RepositoryContext, raw: Row): LogRecord {
  const row = decodeRow(ctx, 'log', raw);
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    name: row.name as string,
    level: row.level as number,
    flow_run_id: (row.flow_run_id as string | null) ?? null,
    task_run_id: (row.task_run_id as string | null) ?? null,
    message: row.message as string,
    timestamp: row.timestamp as string,
  };
}
