import {randomUUID} from 'node:crypto';

import {ENCRYPTION_KEY_CONFIGURATION} from '../blocks/encryption-key.js';
import {notFoundError} from '../errors.js';
import {decodeRow, type RepositoryContext, type Row} from './common.js';

/** The configuration row Prefect keeps the server's default result storage block in. */
const DEFAULT_RESULT_STORAGE_CONFIGURATION = 'server-default-result-storage';

export interface BlockTypeTarget {
  id: string;
  name: string;
  slug: string;
}

export interface LatestBlockSchema {
  type: BlockTypeTarget;
  schemaId: string;
  fields: Record<string, unknown>;
}

/** The type's newest schema: Prefect lists schemas by `created` descending and takes the first. */
export async function latestBlockSchema(ctx: RepositoryContext, typeSlug: string): Promise<LatestBlockSchema> {
  const {knex, codec} = ctx.db;
  const type = await knex('block_type').where('slug', typeSlug).first('id', 'name', 'slug');
  if (!type) throw notFoundError(`no block type with slug "${typeSlug.slice(0, 60)}" (see \`prefectdb block type ls\`)`);
  const typeId = codec.decodeUuid(type.id) as string;
  const schema = await knex('block_schema').where('block_type_id', type.id).orderBy([{column: 'created', order: 'desc'}, {column: 'id', order: 'desc'}]).first('id', 'fields');
  if (!schema) throw notFoundError(`block type "${typeSlug}" has no block schema yet: a Prefect client registers it (\`prefect block register\`)`);
  const row = decodeRow(ctx, 'block_schema', schema);
  return {type: {id: typeId, name: type.name, slug: type.slug}, schemaId: row.id as string, fields: row.fields as Record<string, unknown>};
}

export async function blockSchemaFields(ctx: RepositoryContext, schemaId: string): Promise<Record<string, unknown>> {
  const row = await ctx.db.knex('block_schema').where('id', schemaId).first('fields');
  return (row ? decodeRow(ctx, 'block_schema', row).fields : {}) as Record<string, unknown>;
}

export async function blockDocumentNameTaken(ctx: RepositoryContext, typeId: string, name: string): Promise<boolean> {
  return Boolean(await ctx.db.knex('block_document').where({block_type_id: ctx.db.codec.encodeUuid(typeId), name}).first('id'));
}

/** The stored ENCRYPTION_KEY value ({"fernet_key": …}), or undefined when the server never made one. */
export async function storedEncryptionKey(ctx: RepositoryContext): Promise<unknown> {
  if (!ctx.schema.hasTable('configuration')) return undefined;
  const row = await ctx.db.knex('configuration').where('key', ENCRYPTION_KEY_CONFIGURATION).first('value');
  return row ? decodeRow(ctx, 'configuration', row).value : undefined;
}

export async function insertEncryptionKey(ctx: RepositoryContext, fernetKey: string, now: string): Promise<void> {
  const {codec} = ctx.db;
  await ctx.db.knex('configuration').insert({
    id: codec.encodeUuid(randomUUID()),
    created: codec.encodeTimestamp(now),
    updated: codec.encodeTimestamp(now),
    key: ENCRYPTION_KEY_CONFIGURATION,
    value: codec.encodeJson({fernet_key: fernetKey}),
  });
}

export interface NewBlockDocument {
  id: string;
  name: string;
  token: string;
  schemaId: string;
  type: BlockTypeTarget;
  now: string;
}

export async function insertBlockDocument(ctx: RepositoryContext, document: NewBlockDocument): Promise<void> {
  const {codec} = ctx.db;
  const row: Row = {
    id: codec.encodeUuid(document.id),
    created: codec.encodeTimestamp(document.now),
    updated: codec.encodeTimestamp(document.now),
    name: document.name,
    // The column is JSON: Prefect stores the Fernet token as a JSON string.
    data: codec.encodeJson(document.token),
    block_schema_id: codec.encodeUuid(document.schemaId),
    block_type_id: codec.encodeUuid(document.type.id),
    is_anonymous: codec.encodeBoolean(false),
  };
  if (ctx.schema.hasColumn('block_document', 'block_type_name')) row.block_type_name = document.type.name;
  await ctx.db.knex('block_document').insert(row);
}

export async function updateBlockDocumentData(ctx: RepositoryContext, id: string, token: string, now: string): Promise<void> {
  const {codec} = ctx.db;
  await ctx.db
    .knex('block_document')
    .where('id', codec.encodeUuid(id))
    .update({data: codec.encodeJson(token), updated: codec.encodeTimestamp(now)});
}

export interface StoredReference {
  id: string;
  name: string;
  child: string;
}

export async function referencesOf(ctx: RepositoryContext, parentId: string): Promise<StoredReference[]> {
  const rows: Row[] = await ctx.db
    .knex('block_document_reference')
    .where('parent_block_document_id', ctx.db.codec.encodeUuid(parentId))
    .select('id', 'name', 'reference_block_document_id')
    .orderBy(['name', 'id']);
  return rows
    .map((raw) => decodeRow(ctx, 'block_document_reference', raw))
    .map((row) => ({id: row.id as string, name: row.name as string, child: row.reference_block_document_id as string}));
}

export async function insertBlockDocumentReference(ctx: RepositoryContext, parentId: string, field: string, childId: string, now: string): Promise<void> {
  const {codec} = ctx.db;
  await ctx.db.knex('block_document_reference').insert({
    id: codec.encodeUuid(randomUUID()),
    created: codec.encodeTimestamp(now),
    updated: codec.encodeTimestamp(now),
    name: field,
    parent_block_document_id: codec.encodeUuid(parentId),
    reference_block_document_id: codec.encodeUuid(childId),
  });
}

export async function deleteBlockDocumentReference(ctx: RepositoryContext, id: string): Promise<void> {
  await ctx.db.knex('block_document_reference').where('id', ctx.db.codec.encodeUuid(id)).delete();
}

/** Whether `to` can be reached from `from` along references (a new edge to→from would close a cycle). */
export async function referencePathExists(ctx: RepositoryContext, from: string, to: string): Promise<boolean> {
  const seen = new Set<string>();
  let frontier = [from];
  while (frontier.length > 0) {
    if (frontier.includes(to)) return true;
    frontier.forEach((id) => seen.add(id));
    const rows: Row[] = await ctx.db
      .knex('block_document_reference')
      .whereIn('parent_block_document_id', frontier.map((id) => ctx.db.codec.encodeUuid(id)))
      .select('reference_block_document_id');
    frontier = [...new Set(rows.map((row) => ctx.db.codec.decodeUuid(row.reference_block_document_id) as string))].filter((id) => !seen.has(id));
  }
  return false;
}

export interface BlockDependents {
  /** Deployments whose storage or infrastructure is this block: the foreign keys delete them with it. */
  deployments: Array<{id: string; name: string; flow_name: string | null; column: 'storage_document_id' | 'infrastructure_document_id'}>;
  /** Flow runs whose infrastructure_document_id is this block: deleted with it too. */
  flow_runs: number;
  /** Blocks that nest this one: their reference row goes, and the field disappears from their data. */
  parent_blocks: Array<{id: string; name: string; field: string}>;
}

export async function blockDependents(ctx: RepositoryContext, id: string): Promise<BlockDependents> {
  const {knex, codec} = ctx.db;
  const key = codec.encodeUuid(id);
  const deployments: BlockDependents['deployments'] = [];
  for (const column of ['storage_document_id', 'infrastructure_document_id'] as const) {
    if (!ctx.schema.hasColumn('deployment', column)) continue;
    const rows: Row[] = await knex('deployment as d')
      .leftJoin('flow as f', 'f.id', 'd.flow_id')
      .where(`d.${column}`, key)
      .select('d.id', 'd.name', 'f.name as flow_name')
      .orderBy(['f.name', 'd.name']);
    for (const row of rows) {
      deployments.push({id: codec.decodeUuid(row.id) as string, name: row.name as string, flow_name: (row.flow_name as string | null) ?? null, column});
    }
  }
  let flowRuns = 0;
  if (ctx.schema.hasColumn('flow_run', 'infrastructure_document_id')) {
    const [{count}] = await knex('flow_run').where('infrastructure_document_id', key).count({count: '*'});
    flowRuns = Number(count);
  }
  const parents: Row[] = await knex('block_document_reference as r')
    .join('block_document as p', 'p.id', 'r.parent_block_document_id')
    .where('r.reference_block_document_id', key)
    .select('p.id', 'p.name', 'r.name as field')
    .orderBy(['p.name', 'r.name']);
  return {
    deployments,
    flow_runs: flowRuns,
    parent_blocks: parents.map((row) => ({id: codec.decodeUuid(row.id) as string, name: row.name as string, field: row.field as string})),
  };
}

/** Deletes the document; the foreign keys cascade to references, deployments and flow runs. */
export async function deleteBlockDocumentRow(ctx: RepositoryContext, id: string): Promise<void> {
  await ctx.db.knex('block_document').where('id', ctx.db.codec.encodeUuid(id)).delete();
}

/** As Prefect's delete does: a server default result storage pointing at the block is cleared. */
export async function clearDefaultResultStorageFor(ctx: RepositoryContext, id: string): Promise<boolean> {
  if (!ctx.schema.hasTable('configuration')) return false;
  const row = await ctx.db.knex('configuration').where('key', DEFAULT_RESULT_STORAGE_CONFIGURATION).first('value');
  if (!row) return false;
  const value = decodeRow(ctx, 'configuration', row).value as {default_result_storage_block_id?: unknown} | null;
  if (String(value?.default_result_storage_block_id ?? '').toLowerCase() !== id) return false;
  await ctx.db.knex('configuration').where('key', DEFAULT_RESULT_STORAGE_CONFIGURATION).delete();
  return true;
}
