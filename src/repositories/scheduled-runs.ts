import type {Knex} from 'knex';

import {notFoundError} from '../errors.js';
import type {RunSourceDeployment} from '../runs/new-run-rows.js';
import {type Db, decodeRow, existingColumns, type RepositoryContext, type Row} from './common.js';
import {findColumn} from '../schema/head.js';
import {encodeRowValues, quoteIdentifier, valuesPlaceholders} from './encode-rows.js';

/** A new flow run with its first state, as domain values (state_id is set on insert). */
export interface NewRun {
  run: Row;
  state: Row;
}

/**
 * Inserts scheduled runs the way Prefect's _insert_scheduled_flow_runs does: the runs with
 * ON CONFLICT DO NOTHING on (flow_id, idempotency_key), so a date already scheduled is
 * skipped, and a state row for each run really inserted, which the run's state_id points
 * at. Columns the database does not have at its revision are left out. Returns the ids
 * of the inserted runs.
 *
 * Prefect inserts the runs without state_id and sets it afterwards; the result is the same
 * rows without rewriting every run: SQLite defers the circular foreign keys to COMMIT, and
 * PostgreSQL (whose keys are not deferrable) inserts runs and states in one statement.
 */
export async function insertScheduledRuns(ctx: RepositoryContext, trx: Knex.Transaction, runs: readonly NewRun[]): Promise<string[]> {
  if (runs.length === 0) return [];
  const runColumns = Object.keys(runs[0].run).filter((c) => ctx.schema.hasColumn('flow_run', c));
  if (!runColumns.includes('state_id')) runColumns.push('state_id');
  const stateColumns = Object.keys(runs[0].state).filter((c) => ctx.schema.hasColumn('flow_run_state', c));
  const linked: NewRun[] = runs.map((r) => ({run: {...r.run, state_id: r.state.id}, state: r.state}));
  const inserted: string[] = [];
  const size = Math.max(1, Math.min(500, Math.floor(MAX_PARAMETERS / (runColumns.length + stateColumns.length))));
  for (let i = 0; i < linked.length; i += size) {
    const chunk = linked.slice(i, i + size);
    const runValues = encodeRowValues(ctx, 'flow_run', runColumns, chunk.map((r) => r.run));
    const stateValues = encodeRowValues(ctx, 'flow_run_state', stateColumns, chunk.map((r) => r.state));
    if (ctx.db.dialect === 'sqlite') {
      const sqlite = await sqliteConnection(trx);
      sqlite.pragma('defer_foreign_keys = ON');
      const result = prepared(sqlite, insertSql('flow_run', runColumns, chunk.length, CONFLICT + ' returning id')).all(runValues) as Array<{id: string}>;
      const ids = new Set(result.map((row) => String(row.id)));
      const states = chunk.filter((r) => ids.has(r.run.id as string)).map((r) => r.state);
      if (states.length > 0) prepared(sqlite, insertSql('flow_run_state', stateColumns, states.length, '')).run(encodeRowValues(ctx, 'flow_run_state', stateColumns, states));
      inserted.push(...states.map((s) => s.flow_run_id as string));
    } else {
      const typed = `(${stateColumns.map((c) => `?::${postgresType('flow_run_state', c)}`).join(', ')})`;
      const sql =
        `with new_runs as (${insertSql('flow_run', runColumns, chunk.length, CONFLICT + ' returning id')}) ` +
        `insert into flow_run_state (${stateColumns.map(quoteIdentifier).join(', ')}) ` +
        `select * from (values ${chunk.map(() => typed).join(', ')}) as s (${stateColumns.map(quoteIdentifier).join(', ')}) ` +
        `where s.flow_run_id in (select id from new_runs) returning flow_run_id`;
      const result = await trx.raw(sql, [...runValues, ...stateValues]);
      inserted.push(...(result.rows as Array<{flow_run_id: string}>).map((row) => String(row.flow_run_id).toLowerCase()));
    }
  }
  return inserted;
}

const CONFLICT = ' on conflict (flow_id, idempotency_key) do nothing';

/** The parts of better-sqlite3's connection used here. */
interface SqliteConnection {
  pragma(text: string): unknown;
  prepare(sql: string): {run(values: unknown[]): unknown; all(values: unknown[]): unknown[]};
}

/**
 * The transaction's own SQLite connection. A backfill sends the same few statements of
 * thousands of parameters batch after batch: through the driver they are prepared once,
 * where Knex would rewrite the bindings and prepare them again every time.
 */
async function sqliteConnection(trx: Knex.Transaction): Promise<SqliteConnection> {
  return (await (trx.client as unknown as {acquireConnection(): Promise<unknown>}).acquireConnection()) as SqliteConnection;
}

const statements = new WeakMap<SqliteConnection, Map<string, ReturnType<SqliteConnection['prepare']>>>();

function prepared(connection: SqliteConnection, sql: string): ReturnType<SqliteConnection['prepare']> {
  let cache = statements.get(connection);
  if (!cache) statements.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/** The PostgreSQL type a bound text value is cast to in a VALUES list. */
function postgresType(table: string, column: string): string {
  const definition = findColumn(table, column);
  switch (definition?.type) {
    case 'uuid':
      return 'uuid';
    case 'timestamp':
      return 'timestamptz';
    case 'json':
    case 'json_plain':
      return 'jsonb';
    case 'enum':
      return definition.enumName!;
    default:
      return 'text';
  }
}

/** Inserts one run whose id is new (a manual run): run, state, then state_id. */
export async function insertRunWithState(ctx: RepositoryContext, trx: Knex.Transaction, run: NewRun): Promise<void> {
  const runColumns = Object.keys(run.run).filter((c) => c !== 'state_id' && ctx.schema.hasColumn('flow_run', c));
  await insertRows(ctx, trx, 'flow_run', runColumns, [run.run]);
  const stateColumns = Object.keys(run.state).filter((c) => ctx.schema.hasColumn('flow_run_state', c));
  await insertRows(ctx, trx, 'flow_run_state', stateColumns, [run.state]);
  await linkStates(ctx, trx, [run.state]);
}

// The circular flow_run ↔ flow_run_state keys are not deferrable on PostgreSQL: the run goes
// in without state_id, which is set once its state exists (as Prefect does; that UPDATE
// bumps the run's `updated` to the state row's creation time).
async function linkStates(ctx: RepositoryContext, trx: Knex.Transaction, states: readonly Row[]): Promise<void> {
  const {codec} = ctx.db;
  const updated = codec.encodeTimestamp(states[0].created as string);
  const pairs = states.map((s) => [codec.encodeUuid(s.flow_run_id as string), codec.encodeUuid(s.id as string)]);
  const cases = pairs.map(() => 'when ? then ?').join(' ');
  const cast = ctx.db.dialect === 'postgres' ? '::uuid' : '';
  await trx.raw(
    `update flow_run set updated = ?, state_id = (case ${ctx.db.dialect === 'postgres' ? 'id::text' : 'id'} ${cases} end)${cast} where id in (${pairs.map(() => '?').join(', ')})`,
    [updated, ...pairs.flat(), ...pairs.map(([runId]) => runId)],
  );
}

async function insertRows(ctx: RepositoryContext, trx: Db, table: string, columns: string[], rows: readonly Row[]): Promise<void> {
  for (const chunk of chunksFor(ctx, columns, rows)) {
    await trx.raw(insertSql(table, columns, chunk.length, ''), encodeRowValues(ctx, table, columns, chunk));
  }
}

// Bound parameters per statement stay under SQLite's 32766 (and PostgreSQL's 65535).
const MAX_PARAMETERS = 32_000;

function chunksFor(_ctx: RepositoryContext, columns: readonly string[], rows: readonly Row[]): Row[][] {
  const size = Math.max(1, Math.min(500, Math.floor(MAX_PARAMETERS / columns.length)));
  const chunks: Row[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

function insertSql(table: string, columns: readonly string[], rowCount: number, suffix: string): string {
  return `insert into ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) values ${valuesPlaceholders(columns.length, rowCount)}${suffix}`;
}

export interface ScheduledRunFilter {
  /** Only runs the scheduler made (auto_scheduled). */
  autoScheduledOnly: boolean;
  /** Only runs whose next_scheduled_start_time is after `now`. */
  futureOnly: boolean;
  now: string;
}

/**
 * Prefect's _delete_scheduled_runs: a deployment's runs in a Scheduled state that never ran
 * and are not waiting for a concurrency slot (AwaitingRetry and retried runs survive).
 * Returns how many were deleted; their states go with them by the foreign key cascade.
 */
export async function deleteScheduledRuns(ctx: RepositoryContext, trx: Db, deploymentId: string, filter: ScheduledRunFilter): Promise<number> {
  const {codec} = ctx.db;
  let query = trx('flow_run')
    .where('deployment_id', codec.encodeUuid(deploymentId))
    .andWhere('state_type', 'SCHEDULED')
    // As in Prefect's SQL, a NULL state_name does not pass the != test.
    .andWhere('state_name', '<>', 'AwaitingConcurrencySlot')
    .andWhere('run_count', 0);
  if (filter.autoScheduledOnly) query = query.andWhere('auto_scheduled', codec.encodeBoolean(true));
  if (filter.futureOnly) query = query.andWhere('next_scheduled_start_time', '>', codec.encodeTimestamp(filter.now));
  return Number(await query.delete());
}

/** The deployment columns Prefect copies into the runs it makes, as stored. */
export async function readRunSource(ctx: RepositoryContext, db: Db, deploymentId: string): Promise<RunSourceDeployment> {
  const wanted = ['id', 'flow_id', 'version', 'work_queue_name', 'work_queue_id', 'parameters', 'infrastructure_document_id', 'tags', 'labels'];
  const raw = (await db('deployment').select(existingColumns(ctx, 'deployment', wanted)).where('id', ctx.db.codec.encodeUuid(deploymentId)).first()) as Row | undefined;
  if (!raw) throw notFoundError(`no deployment with id ${deploymentId}`);
  const row = decodeRow(ctx, 'deployment', raw);
  return {
    id: row.id as string,
    flow_id: row.flow_id as string,
    version: (row.version as string | null) ?? null,
    work_queue_name: (row.work_queue_name as string | null) ?? null,
    work_queue_id: (row.work_queue_id as string | null) ?? null,
    parameters: (row.parameters as Record<string, unknown> | null) ?? {},
    infrastructure_document_id: (row.infrastructure_document_id as string | null) ?? null,
    tags: (row.tags as string[] | null) ?? [],
    labels: (row.labels as Record<string, unknown> | null) ?? null,
  };
}

/**
 * The scheduler service's selection: whether any of the deployment's active schedules has
 * fewer than `minRuns` future auto-scheduled runs, or none reaching `minUntil`. A run
 * belongs to a schedule through created_by.id, as in Prefect's query (and its index).
 */
export async function scheduleNeedsRuns(ctx: RepositoryContext, deploymentId: string, scheduleIds: readonly string[], now: string, minRuns: number, minUntil: string): Promise<boolean> {
  if (!ctx.schema.hasColumn('flow_run', 'created_by')) return true;
  const {codec} = ctx.db;
  for (const scheduleId of scheduleIds) {
    const [row] = (await ctx.db
      .knex('flow_run')
      .where('deployment_id', codec.encodeUuid(deploymentId))
      .andWhere('state_type', 'SCHEDULED')
      .andWhere('next_scheduled_start_time', '>=', codec.encodeTimestamp(now))
      .andWhere('auto_scheduled', codec.encodeBoolean(true))
      .andWhereRaw('? = ?', [ctx.sql.jsonText('created_by', 'id'), scheduleId])
      .select(ctx.db.knex.raw('count(*) as runs'), ctx.db.knex.raw('max(next_scheduled_start_time) as latest'))) as Row[];
    const latest = codec.decodeTimestamp(row.latest);
    if (Number(row.runs) < minRuns || (latest !== null && latest < minUntil)) return true;
  }
  return false;
}
