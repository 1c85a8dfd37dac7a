import {revisionAtLeast} from '../db/revisions.js';
import {STREAM_BATCH, streamRowObjects} from '../db/row-stream.js';
import {notFoundError} from '../errors.js';
import {decodeRow, encodeRow, limitedList, type RepositoryContext, resolveId, type Row, type LimitedRows} from './common.js';

/** A variable as Prefect's REST API names its fields. */
export interface VariableRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  value: unknown;
  tags: string[];
}

/**
 * Whether variable.value holds JSON (Prefect 3.0, migration 2ac65f1758c2) or, before it,
 * plain text: 2.x variables are strings only.
 */
export function variableValuesAreJson(ctx: RepositoryContext): boolean {
  return revisionAtLeast(ctx.schema.dialect, ctx.schema.revision, '2ac65f1758c2');
}

function toVariable(ctx: RepositoryContext, raw: Row): VariableRecord {
  const {value, ...rest} = raw;
  const row = decodeRow(ctx, 'variable', rest);
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    name: row.name as string,
    value: variableValuesAreJson(ctx) ? ctx.db.codec.decodeJson(value) : value == null ? null : String(value),
    tags: (row.tags as string[] | null) ?? [],
  };
}

export async function listVariables(ctx: RepositoryContext, options: {limit?: number}): Promise<LimitedRows<VariableRecord>> {
  const result = await limitedList(variableQuery(ctx), options.limit, async (qb) => (await qb) as Row[]);
  return {rows: result.rows.map((raw) => toVariable(ctx, raw)), total: result.total, totalIsLowerBound: result.totalIsLowerBound};
}

/** Every variable listVariables would give, a batch at a time as read (`--all`): bounded memory at any count. */
export async function streamVariables(ctx: RepositoryContext, onBatch: (rows: VariableRecord[]) => Promise<void>): Promise<void> {
  await streamRowObjects(ctx.db, variableQuery(ctx), STREAM_BATCH, (rows) => onBatch(rows.map((raw) => toVariable(ctx, raw))));
}

function variableQuery(ctx: RepositoryContext) {
  return ctx.db.knex('variable').select('*').orderBy([{column: 'name'}, {column: 'id'}]);
}

export async function findVariableByName(ctx: RepositoryContext, name: string): Promise<VariableRecord | undefined> {
  const row = await ctx.db.knex('variable').where('name', name).first();
  return row ? toVariable(ctx, row) : undefined;
}

/** By exact name, else by id or unique id prefix. */
export async function findVariable(ctx: RepositoryContext, nameOrId: string): Promise<VariableRecord> {
  const byName = await findVariableByName(ctx, nameOrId);
  if (byName) return byName;
  if (!/^[0-9a-f-]+$/i.test(nameOrId)) throw notFoundError(`no variable named "${nameOrId}"`);
  const id = await resolveId(ctx, 'variable', nameOrId, 'variable');
  return toVariable(ctx, await ctx.db.knex('variable').where('id', id).first());
}

/** Encodes a variable row: JSON through the codec on 3.x, the text as it is on 2.x. */
function encodeVariable(ctx: RepositoryContext, values: Row): Row {
  const {value, ...rest} = values;
  const row = encodeRow(ctx, 'variable', rest);
  if (value !== undefined) row.value = variableValuesAreJson(ctx) ? ctx.db.codec.encodeJson(value) : value;
  return row;
}

export async function insertVariableRow(ctx: RepositoryContext, values: Row): Promise<void> {
  await ctx.db.knex('variable').insert(encodeVariable(ctx, values));
}

export async function updateVariableRow(ctx: RepositoryContext, id: string, values: Row): Promise<void> {
  await ctx.db.knex('variable').where('id', id).update(encodeVariable(ctx, values));
}

export async function deleteVariableRow(ctx: RepositoryContext, id: string): Promise<void> {
  await ctx.db.knex('variable').where('id', id).delete();
}
