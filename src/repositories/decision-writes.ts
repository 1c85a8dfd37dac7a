import {jsonText, parseJsonText} from '../db/codecs/json-text.js';
import type {Decision, Effect, ProposedState, RunState} from '../orchestration/contract.js';
import {newUuid7} from '../db/ids.js';
import {findColumn} from '../schema/head.js';
import {type Db, type RepositoryContext, type Row} from './common.js';
import type {RunKind} from './run-states.js';

/**
 * Writes what the orchestration engine decided for a batch of runs, in the caller's
 * transaction and in Prefect's order: result artifacts, then state rows, then the runs'
 * columns (pointer and bookkeeping), then concurrency slots and cache entries. Every value
 * goes through the codec; columns the database's revision lacks are left out.
 */

export interface RunDecision {
  runId: string;
  decision: Decision;
}

/** The subflow parent-task updates the caller must still orchestrate (through the engine). */
export type ParentTaskUpdate = {task_run_id: string; state: ProposedState};

// Rows per multi-row INSERT: a batch's states in one statement, well under both dialects'
// bind-parameter limits (11 columns × 500 rows).
const ROWS_PER_INSERT = 500;
// Runs per multi-row UPDATE: a single bound JSON parameter, so only the statement's size limits it.
const ROWS_PER_UPDATE = 500;

export async function writeDecisions(ctx: RepositoryContext, db: Db, kind: RunKind, decisions: readonly RunDecision[], now: string): Promise<ParentTaskUpdate[]> {
  const effects = decisions.flatMap(({decision}) => decision.effects);
  await insertRows(ctx, db, 'artifact', effects.flatMap((effect) => (effect.kind === 'create_result_artifact' ? [{...effect.artifact, created: now, updated: now}] : [])));
  await insertRows(ctx, db, `${kind}_state`, decisions.flatMap(({runId, decision}) => (decision.write ? [stateRow(kind, runId, decision.write, now)] : [])));
  await updateRuns(ctx, db, kind, decisions, now);
  await applySlotEffects(ctx, db, effects, now);
  await insertRows(ctx, db, 'task_run_state_cache', effects.flatMap((effect) => (effect.kind === 'cache_insertion' ? [cacheRow(effect, now)] : [])));
  return effects.flatMap((effect) => (effect.kind === 'update_subflow_parent_task' ? [{task_run_id: effect.task_run_id, state: effect.state}] : []));
}

function stateRow(kind: RunKind, runId: string, state: RunState, now: string): Row {
  return {
    id: state.id,
    created: now,
    updated: now,
    type: state.type,
    timestamp: state.timestamp,
    name: state.name,
    message: state.message,
    state_details: state.state_details,
    data: state.data ?? null,
    [`${kind}_id`]: runId,
    result_artifact_id: state.result_artifact_id,
  };
}

function cacheRow(effect: Extract<Effect, {kind: 'cache_insertion'}>, now: string): Row {
  return {
    id: newUuid7(),
    created: now,
    updated: now,
    cache_key: effect.cache_key,
    cache_expiration: effect.cache_expiration,
    task_run_state_id: effect.task_run_state_id,
  };
}

/** The row's columns that exist at this revision, each encoded for the dialect. */
function encodeRow(ctx: RepositoryContext, table: string, row: Row): Row {
  const encoders = columnEncoders(ctx, table);
  const encoded: Row = {};
  for (const column in row) {
    const encode = encoders.get(column);
    if (encode) encoded[column] = encode(row[column]);
  }
  return encoded;
}

type Encoder = (value: unknown) => unknown;
const encoderCache = new WeakMap<RepositoryContext, Map<string, Map<string, Encoder | undefined>>>();

/**
 * Per column of `table`: how to encode a value, or nothing when the revision lacks the
 * column. Looked up once per table and connection (bulk writes encode millions of values).
 */
function columnEncoders(ctx: RepositoryContext, table: string): {get(column: string): Encoder | undefined} {
  let tables = encoderCache.get(ctx);
  if (!tables) encoderCache.set(ctx, (tables = new Map()));
  let columns = tables.get(table);
  if (!columns) tables.set(table, (columns = new Map()));
  const known = columns;
  return {
    get(column) {
      if (known.has(column)) return known.get(column);
      const type = ctx.schema.hasColumn(table, column) ? (findColumn(table, column)?.type ?? null) : undefined;
      const encoder: Encoder | undefined = type === undefined ? undefined : type === null ? (value) => value : (value) => ctx.db.codec.encode(type, value);
      known.set(column, encoder);
      return encoder;
    },
  };
}

async function insertRows(ctx: RepositoryContext, db: Db, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0 || !ctx.schema.hasTable(table)) return;
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    await db(table).insert(rows.slice(start, start + ROWS_PER_INSERT).map((row) => encodeRow(ctx, table, row)));
  }
}

/**
 * The runs' column changes, one UPDATE per set of changed columns and chunk: a bulk change
 * gives every run the same columns, so a batch is usually one statement, not 500.
 */
async function updateRuns(ctx: RepositoryContext, db: Db, kind: RunKind, decisions: readonly RunDecision[], now: string): Promise<void> {
  const groups = new Map<string, Row[]>();
  for (const {runId, decision} of decisions) {
    const changes = decision.columns as Row;
    if (Object.keys(changes).length === 0) continue;
    const row = encodeRow(ctx, kind, {...changes, updated: now});
    const key = Object.keys(row).sort().join(',');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push({...jsonPayloadValues(ctx, kind, row), id: runId});
  }
  for (const [key, rows] of groups) {
    const columns = key.split(',');
    for (let start = 0; start < rows.length; start += ROWS_PER_UPDATE) {
      await ctx.sql.updateRowsFromJson(db, kind, columns, jsonText(rows.slice(start, start + ROWS_PER_UPDATE)));
    }
  }
}

/**
 * PostgreSQL reads a jsonb field of the payload as JSON, so JSON columns go in as values, not
 * text; decoded and re-encoded losslessly, so jsonb receives every number's exact digits.
 */
function jsonPayloadValues(ctx: RepositoryContext, table: string, row: Row): Row {
  if (ctx.db.dialect !== 'postgres') return row;
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) {
    const type = findColumn(table, column)?.type;
    out[column] = (type === 'json' || type === 'json_plain') && typeof value === 'string' ? parseJsonText(value) : value;
  }
  return out;
}

/**
 * Slot changes one at a time in the engine's order, as Prefect makes them: a take only
 * while the limit is active and has room, a release never below 0. prefectdb holds no
 * lease, so it writes none.
 */
async function applySlotEffects(ctx: RepositoryContext, db: Db, effects: readonly Effect[], now: string): Promise<void> {
  const updated = ctx.db.codec.encodeTimestamp(now);
  const active = ctx.db.codec.encodeBoolean(true);
  const v1Slots = new Map<string, {take: Set<string>; release: Set<string>}>();
  for (const effect of effects) {
    if (effect.kind === 'concurrency_limit_v2_slots') {
      const query = db('concurrency_limit_v2').where({id: effect.limit_id, active});
      if (effect.delta > 0) {
        await query.whereRaw('?? + 1 <= ??', ['active_slots', 'limit']).update({active_slots: db.raw('?? + 1', ['active_slots']), updated});
      } else {
        await query.update({active_slots: db.raw('case when ?? > 0 then ?? - 1 else 0 end', ['active_slots', 'active_slots']), updated});
      }
    } else if (effect.kind === 'concurrency_limit_v1_slot') {
      let change = v1Slots.get(effect.tag);
      if (!change) v1Slots.set(effect.tag, (change = {take: new Set(), release: new Set()}));
      if (effect.action === 'take') change.take.add(effect.task_run_id), change.release.delete(effect.task_run_id);
      else change.release.add(effect.task_run_id), change.take.delete(effect.task_run_id);
    }
  }
  for (const [tag, change] of v1Slots) await updateV1Slots(ctx, db, tag, change.take, change.release, now);
}

/** V1 tag limits keep the holders' task run ids as a JSON list: add and remove, as a set. */
async function updateV1Slots(ctx: RepositoryContext, db: Db, tag: string, take: Set<string>, release: Set<string>, updated: string): Promise<void> {
  const row = await db('concurrency_limit').where('tag', tag).first('active_slots');
  if (!row) return;
  const current = (ctx.db.codec.decodeJson(row.active_slots) as string[] | null) ?? [];
  const next = current.filter((id) => !release.has(id));
  for (const id of take) if (!next.includes(id)) next.push(id);
  if (next.length === current.length && next.every((id, index) => id === current[index])) return;
  await db('concurrency_limit').where('tag', tag).update(encodeRow(ctx, 'concurrency_limit', {active_slots: next, updated}));
}
