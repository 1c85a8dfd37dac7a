import type {Knex} from 'knex';

import {chooseEncryptionKey, ENCRYPTION_KEY_CONFIGURATION, type EncryptionKey} from '../blocks/encryption-key.js';
import {decryptFernet, InvalidFernetToken} from '../blocks/fernet.js';
import {maskSecrets, secretFieldsOf} from '../blocks/secrets.js';
import type {SortChoice} from '../cli/list-flags.js';
import {parseJsonText} from '../db/codecs/json-text.js';
import {STREAM_BATCH, streamRowObjects} from '../db/row-stream.js';
import {notFoundError, refusedError, usageError} from '../errors.js';
import {decodeRow, existingColumns, limitedList, type RepositoryContext, resolveId, type Row, type LimitedRows} from './common.js';

/** A block type as Prefect's REST API names its fields, in that order. */
export interface BlockTypeRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  slug: string;
  logo_url: string | null;
  documentation_url: string | null;
  description: string | null;
  code_example: string | null;
  is_protected: boolean;
}

/** `block type ls` rows: the type plus how many schemas and documents it has (ours, not the API's). */
export interface BlockTypeSummary extends BlockTypeRecord {
  block_schema_count: number;
  block_document_count: number;
}

export interface BlockSchemaRecord {
  id: string;
  created: string;
  updated: string;
  checksum: string;
  fields: Record<string, unknown>;
  block_type_id: string;
  block_type: BlockTypeRecord | null;
  capabilities: string[];
  version: string;
}

export interface BlockDocumentReference {
  block_document: {
    id: string;
    name: string;
    block_type: BlockTypeRecord | null;
    is_anonymous: boolean;
    block_document_references: Record<string, BlockDocumentReference>;
  };
}

export interface BlockDocumentRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  data: Record<string, unknown>;
  block_schema_id: string;
  block_schema: BlockSchemaRecord | null;
  block_type_id: string;
  block_type_name: string | null;
  block_type: BlockTypeRecord | null;
  block_document_references: Record<string, BlockDocumentReference>;
  is_anonymous: boolean;
}

const BLOCK_TYPE_COLUMNS = [
  'id', 'created', 'updated', 'name', 'slug', 'logo_url', 'documentation_url', 'description', 'code_example', 'is_protected',
] as const;
const BLOCK_SCHEMA_COLUMNS = ['id', 'created', 'updated', 'checksum', 'fields', 'block_type_id', 'capabilities', 'version'] as const;
const BLOCK_DOCUMENT_COLUMNS = [
  'id', 'created', 'updated', 'name', 'data', 'block_schema_id', 'block_type_id', 'block_type_name', 'is_anonymous',
] as const;

/** Sort keys of `--sort`: the columns ordered by (then id, in the same direction). */
interface SortField {
  columns: readonly string[];
  defaultDirection: 'asc' | 'desc';
}

export const BLOCK_TYPE_SORT_FIELDS = {
  slug: {columns: ['block_type.slug'], defaultDirection: 'asc'},
  name: {columns: ['block_type.name'], defaultDirection: 'asc'},
  created: {columns: ['block_type.created'], defaultDirection: 'desc'},
  updated: {columns: ['block_type.updated'], defaultDirection: 'desc'},
} as const satisfies Record<string, SortField>;

export const BLOCK_SCHEMA_SORT_FIELDS = {
  type: {columns: ['block_type.slug', 'block_schema.version'], defaultDirection: 'asc'},
  version: {columns: ['block_schema.version'], defaultDirection: 'asc'},
  created: {columns: ['block_schema.created'], defaultDirection: 'desc'},
  updated: {columns: ['block_schema.updated'], defaultDirection: 'desc'},
} as const satisfies Record<string, SortField>;

export const BLOCK_DOCUMENT_SORT_FIELDS = {
  type: {columns: ['block_type.slug', 'block_document.name'], defaultDirection: 'asc'},
  name: {columns: ['block_document.name'], defaultDirection: 'asc'},
  created: {columns: ['block_document.created'], defaultDirection: 'desc'},
  updated: {columns: ['block_document.updated'], defaultDirection: 'desc'},
} as const satisfies Record<string, SortField>;

function orderBy<F extends string>(qb: Knex.QueryBuilder, fields: Record<F, SortField>, sort: SortChoice<F>, idColumn: string) {
  for (const column of fields[sort.field].columns) qb.orderBy(column, sort.direction);
  return qb.orderBy(idColumn, sort.direction);
}

function qualified(ctx: RepositoryContext, table: string, columns: readonly string[]): string[] {
  return existingColumns(ctx, table, columns).map((column) => `${table}.${column}`);
}

// Keeps `where … in (…)` under SQLite's and PostgreSQL's bound-parameter limits.
const IDS_PER_QUERY = 500;

async function selectByIds(ctx: RepositoryContext, table: string, columns: readonly string[], column: string, ids: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
    rows.push(...(await ctx.db.knex(table).select(columns).whereIn(column, ids.slice(start, start + IDS_PER_QUERY))));
  }
  return rows;
}

function toBlockType(ctx: RepositoryContext, raw: Row): BlockTypeRecord {
  const row = decodeRow(ctx, 'block_type', raw);
  return {
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    name: row.name as string,
    slug: row.slug as string,
    logo_url: (row.logo_url as string | null) ?? null,
    documentation_url: (row.documentation_url as string | null) ?? null,
    description: (row.description as string | null) ?? null,
    code_example: (row.code_example as string | null) ?? null,
    is_protected: Boolean(row.is_protected),
  };
}

async function blockTypesById(ctx: RepositoryContext, ids: Iterable<string>): Promise<Map<string, BlockTypeRecord>> {
  const rows = await selectByIds(ctx, 'block_type', existingColumns(ctx, 'block_type', BLOCK_TYPE_COLUMNS), 'id', [...new Set(ids)]);
  return new Map(rows.map((raw) => toBlockType(ctx, raw)).map((type) => [type.id, type]));
}

async function blockTypeIdOf(ctx: RepositoryContext, slug: string): Promise<string> {
  const row = await ctx.db.knex('block_type').where('slug', slug).first('id');
  if (!row) throw notFoundError(`no block type with slug "${slug}" (see \`prefectdb block type ls\`)`);
  return ctx.db.codec.decodeUuid(row.id) as string;
}

export interface BlockTypeListOptions {
  sort: SortChoice<keyof typeof BLOCK_TYPE_SORT_FIELDS>;
  limit?: number;
}

export async function listBlockTypes(ctx: RepositoryContext, options: BlockTypeListOptions): Promise<LimitedRows<BlockTypeSummary>> {
  return limitedList(blockTypeQuery(ctx, options), options.limit, async (qb) => (await qb).map((row: Row) => toBlockTypeSummary(ctx, row)));
}

/** Every type listBlockTypes would give, a batch at a time as read (`--all`). */
export async function streamBlockTypes(
  ctx: RepositoryContext,
  options: Omit<BlockTypeListOptions, 'limit'>,
  onBatch: (rows: BlockTypeSummary[]) => Promise<void>,
): Promise<void> {
  await streamRowObjects(ctx.db, blockTypeQuery(ctx, options), STREAM_BATCH, (rows) => onBatch(rows.map((row) => toBlockTypeSummary(ctx, row))));
}

function blockTypeQuery(ctx: RepositoryContext, options: Omit<BlockTypeListOptions, 'limit'>): Knex.QueryBuilder {
  const {knex} = ctx.db;
  const countOf = (table: string, alias: string) =>
    knex(table).count('*').where(`${table}.block_type_id`, knex.ref('block_type.id')).as(alias);
  const query = knex('block_type').select([
    ...qualified(ctx, 'block_type', BLOCK_TYPE_COLUMNS),
    countOf('block_schema', 'block_schema_count'),
    countOf('block_document', 'block_document_count'),
  ]);
  orderBy(query, BLOCK_TYPE_SORT_FIELDS, options.sort, 'block_type.id');
  return query;
}

function toBlockTypeSummary(ctx: RepositoryContext, {block_schema_count, block_document_count, ...raw}: Row): BlockTypeSummary {
  return {...toBlockType(ctx, raw), block_schema_count: Number(block_schema_count), block_document_count: Number(block_document_count)};
}

/**
 * Block schemas as the API returns them: `fields` regains the `block_schema_references`
 * Prefect keeps in block_schema_reference rows ({field: {block_type_slug,
 * block_schema_checksum}}, a list when a field accepts several block types).
 */
async function toBlockSchemas(ctx: RepositoryContext, raws: Row[]): Promise<BlockSchemaRecord[]> {
  const rows = raws.map((raw) => decodeRow(ctx, 'block_schema', raw));
  const types = await blockTypesById(ctx, rows.map((row) => row.block_type_id as string));
  const references = await schemaReferences(ctx, rows.map((row) => row.id as string));
  return rows.map((row) => ({
    id: row.id as string,
    created: row.created as string,
    updated: row.updated as string,
    checksum: row.checksum as string,
    fields: {...(row.fields as Record<string, unknown>), block_schema_references: references.get(row.id as string) ?? {}},
    block_type_id: row.block_type_id as string,
    block_type: types.get(row.block_type_id as string) ?? null,
    capabilities: (row.capabilities as string[] | null) ?? [],
    version: (row.version as string | null) ?? 'non-versioned',
  }));
}

type SchemaReference = {block_type_slug: string; block_schema_checksum: string};

async function schemaReferences(ctx: RepositoryContext, schemaIds: string[]): Promise<Map<string, Record<string, SchemaReference | SchemaReference[]>>> {
  const byParent = new Map<string, Record<string, SchemaReference | SchemaReference[]>>();
  for (let start = 0; start < schemaIds.length; start += IDS_PER_QUERY) {
    const rows: Row[] = await ctx.db
      .knex('block_schema_reference as r')
      .join('block_schema as s', 's.id', 'r.reference_block_schema_id')
      .join('block_type as t', 't.id', 's.block_type_id')
      .select('r.parent_block_schema_id', 'r.name', 's.checksum', 't.slug')
      .whereIn('r.parent_block_schema_id', schemaIds.slice(start, start + IDS_PER_QUERY))
      .orderBy(['r.created', 'r.id']);
    for (const row of rows) {
      const parent = ctx.db.codec.decodeUuid(row.parent_block_schema_id) as string;
      const fields = byParent.get(parent) ?? {};
      byParent.set(parent, fields);
      const reference = {block_type_slug: row.slug as string, block_schema_checksum: row.checksum as string};
      const name = row.name as string;
      const existing = fields[name];
      if (existing === undefined) fields[name] = reference;
      else fields[name] = [...(Array.isArray(existing) ? existing : [existing]), reference];
    }
  }
  return byParent;
}

export interface BlockSchemaListOptions {
  typeSlug?: string;
  sort: SortChoice<keyof typeof BLOCK_SCHEMA_SORT_FIELDS>;
  limit?: number;
}

export async function listBlockSchemas(ctx: RepositoryContext, options: BlockSchemaListOptions): Promise<LimitedRows<BlockSchemaRecord>> {
  const {query} = await blockSchemaQuery(ctx, options);
  return limitedList(query, options.limit, async (qb) => toBlockSchemas(ctx, await qb));
}

/** Every schema listBlockSchemas would give, a batch at a time as read (`--all`), types and references looked up per batch. */
export async function streamBlockSchemas(
  ctx: RepositoryContext,
  options: Omit<BlockSchemaListOptions, 'limit'>,
  onBatch: (rows: BlockSchemaRecord[]) => Promise<void>,
): Promise<void> {
  const {query} = await blockSchemaQuery(ctx, options);
  await streamRowObjects(ctx.db, query, STREAM_BATCH, async (rows) => onBatch(await toBlockSchemas(ctx, rows)));
}

/** Wrapped in an object: a query builder is thenable, so awaiting one would run it. */
async function blockSchemaQuery(ctx: RepositoryContext, options: Omit<BlockSchemaListOptions, 'limit'>): Promise<{query: Knex.QueryBuilder}> {
  const query = ctx.db
    .knex('block_schema')
    .join('block_type', 'block_type.id', 'block_schema.block_type_id')
    .select(qualified(ctx, 'block_schema', BLOCK_SCHEMA_COLUMNS));
  if (options.typeSlug) query.where('block_schema.block_type_id', await blockTypeIdOf(ctx, options.typeSlug));
  orderBy(query, BLOCK_SCHEMA_SORT_FIELDS, options.sort, 'block_schema.id');
  return {query};
}

export interface BlockDocumentReadOptions {
  /** Show secret fields in clear instead of `********`. */
  showSecrets: boolean;
  /** Where the encryption key may come from besides the database; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export interface BlockDocumentListOptions extends BlockDocumentReadOptions {
  typeSlug?: string;
  /** Include the anonymous documents Prefect creates for nested blocks (hidden by default, as in Prefect). */
  includeAnonymous: boolean;
  sort: SortChoice<keyof typeof BLOCK_DOCUMENT_SORT_FIELDS>;
  limit?: number;
}

export async function listBlockDocuments(
  ctx: RepositoryContext,
  options: BlockDocumentListOptions,
): Promise<LimitedRows<BlockDocumentRecord>> {
  const {query} = await blockDocumentQuery(ctx, options);
  return limitedList(query, options.limit, async (qb) => new BlockDocumentAssembler(ctx, options).assemble(await qb));
}

/**
 * Every document listBlockDocuments would give, a batch at a time as read (`--all`). Each
 * batch is assembled on its own (references, types, schemas looked up per batch), so memory
 * holds one batch and what it refers to, whatever the number of documents.
 */
export async function streamBlockDocuments(
  ctx: RepositoryContext,
  options: Omit<BlockDocumentListOptions, 'limit'>,
  onBatch: (rows: BlockDocumentRecord[]) => Promise<void>,
): Promise<void> {
  const {query} = await blockDocumentQuery(ctx, options);
  await streamRowObjects(ctx.db, query, STREAM_BATCH, async (rows) => onBatch(await new BlockDocumentAssembler(ctx, options).assemble(rows)));
}

/** Wrapped in an object: a query builder is thenable, so awaiting one would run it. */
async function blockDocumentQuery(ctx: RepositoryContext, options: Omit<BlockDocumentListOptions, 'limit'>): Promise<{query: Knex.QueryBuilder}> {
  const query = ctx.db
    .knex('block_document')
    .join('block_type', 'block_type.id', 'block_document.block_type_id')
    .select(qualified(ctx, 'block_document', BLOCK_DOCUMENT_COLUMNS));
  if (options.typeSlug) query.where('block_document.block_type_id', await blockTypeIdOf(ctx, options.typeSlug));
  if (!options.includeAnonymous) query.where('block_document.is_anonymous', ctx.db.codec.encodeBoolean(false));
  orderBy(query, BLOCK_DOCUMENT_SORT_FIELDS, options.sort, 'block_document.id');
  return {query};
}

/** Finds a block document by `type-slug/name` (as Prefect's CLI names blocks), id, or unique id prefix. */
export async function findBlockDocument(
  ctx: RepositoryContext,
  reference: string,
  options: BlockDocumentReadOptions,
): Promise<BlockDocumentRecord> {
  const columns = qualified(ctx, 'block_document', BLOCK_DOCUMENT_COLUMNS);
  let row: Row | undefined;
  const slash = reference.indexOf('/');
  if (slash >= 0) {
    const [slug, name] = [reference.slice(0, slash), reference.slice(slash + 1)];
    row = await ctx.db
      .knex('block_document')
      .join('block_type', 'block_type.id', 'block_document.block_type_id')
      .select(columns)
      .where({'block_type.slug': slug, 'block_document.name': name})
      .first();
    if (!row) throw notFoundError(`no block document "${name}" of block type "${slug}"`);
  } else {
    if (!/^[0-9a-f-]+$/i.test(reference)) {
      throw usageError(`"${reference}" is neither TYPE-SLUG/NAME (e.g. secret/db-password) nor a block document id`);
    }
    const id = await resolveId(ctx, 'block_document', reference, 'block document');
    row = await ctx.db.knex('block_document').select(columns).where('block_document.id', id).first();
  }
  const [document] = await new BlockDocumentAssembler(ctx, options).assemble([row as Row]);
  return document;
}

interface ReferenceRow {
  name: string;
  parent: string;
  child: string;
}

/**
 * Builds documents as Prefect's API shows them: data decrypted, secrets masked by each
 * document's own schema, and referenced documents (block_document_reference, followed
 * recursively) put back into the parent's data under the field name they were taken from.
 */
class BlockDocumentAssembler {
  private readonly documents = new Map<string, Row>();
  private readonly references: ReferenceRow[] = [];
  private types = new Map<string, BlockTypeRecord>();
  private schemas = new Map<string, BlockSchemaRecord>();
  private readonly built = new Map<string, {data: Record<string, unknown>; references: Record<string, BlockDocumentReference>}>();
  private key?: EncryptionKey;

  constructor(
    private readonly ctx: RepositoryContext,
    private readonly options: BlockDocumentReadOptions,
  ) {}

  async assemble(raws: Row[]): Promise<BlockDocumentRecord[]> {
    const roots = raws.map((raw) => decodeRow(this.ctx, 'block_document', raw));
    for (const row of roots) this.documents.set(row.id as string, row);
    await this.loadReferencedDocuments(roots.map((row) => row.id as string));
    const all = [...this.documents.values()];
    this.types = await blockTypesById(this.ctx, all.map((row) => row.block_type_id as string));
    const schemaRows = await selectByIds(
      this.ctx, 'block_schema', existingColumns(this.ctx, 'block_schema', BLOCK_SCHEMA_COLUMNS), 'id',
      [...new Set(all.map((row) => row.block_schema_id as string))],
    );
    this.schemas = new Map((await toBlockSchemas(this.ctx, schemaRows)).map((schema) => [schema.id, schema]));
    if (all.some((row) => typeof row.data === 'string')) this.key = await this.encryptionKey();
    return roots.map((row) => this.record(row));
  }

  private async loadReferencedDocuments(parents: string[]): Promise<void> {
    const columns = existingColumns(this.ctx, 'block_document', BLOCK_DOCUMENT_COLUMNS);
    let frontier = parents;
    while (frontier.length > 0) {
      const rows = await selectByIds(
        this.ctx, 'block_document_reference', ['name', 'parent_block_document_id', 'reference_block_document_id'],
        'parent_block_document_id', frontier,
      );
      const references = rows
        .map((row) => decodeRow(this.ctx, 'block_document_reference', row))
        .map((row) => ({name: row.name as string, parent: row.parent_block_document_id as string, child: row.reference_block_document_id as string}))
        .sort((a, b) => a.parent.localeCompare(b.parent) || a.name.localeCompare(b.name));
      this.references.push(...references);
      const missing = [...new Set(references.map((r) => r.child))].filter((id) => !this.documents.has(id));
      const loaded = (await selectByIds(this.ctx, 'block_document', columns, 'id', missing)).map((raw) =>
        decodeRow(this.ctx, 'block_document', raw),
      );
      for (const row of loaded) this.documents.set(row.id as string, row);
      frontier = loaded.map((row) => row.id as string);
    }
  }

  private async encryptionKey(): Promise<EncryptionKey> {
    let stored: unknown;
    if (this.ctx.schema.hasTable('configuration')) {
      const row = await this.ctx.db.knex('configuration').where('key', ENCRYPTION_KEY_CONFIGURATION).first('value');
      stored = row ? decodeRow(this.ctx, 'configuration', row).value : undefined;
    }
    return chooseEncryptionKey(this.options.env ?? process.env, stored);
  }

  private record(row: Row): BlockDocumentRecord {
    const id = row.id as string;
    const {data, references} = this.contents(id, new Set());
    const type = this.types.get(row.block_type_id as string) ?? null;
    return {
      id,
      created: row.created as string,
      updated: row.updated as string,
      name: row.name as string,
      data,
      block_schema_id: row.block_schema_id as string,
      block_schema: this.schemas.get(row.block_schema_id as string) ?? null,
      block_type_id: row.block_type_id as string,
      // The column is a denormalised copy added in Prefect 3; older databases have only the type's name.
      block_type_name: (row.block_type_name as string | null | undefined) ?? type?.name ?? null,
      block_type: type,
      block_document_references: references,
      is_anonymous: Boolean(row.is_anonymous),
    };
  }

  /** The document's data with its referenced documents filled in; `visiting` guards against reference cycles. */
  private contents(id: string, visiting: Set<string>): {data: Record<string, unknown>; references: Record<string, BlockDocumentReference>} {
    const done = this.built.get(id);
    if (done) return done;
    const row = this.documents.get(id) as Row;
    const own = this.decrypt(row);
    const schema = this.schemas.get(row.block_schema_id as string);
    const data = (this.options.showSecrets ? own : maskSecrets(own, secretFieldsOf(schema?.fields))) as Record<string, unknown>;
    const references: Record<string, BlockDocumentReference> = {};
    visiting.add(id);
    for (const reference of this.references.filter((r) => r.parent === id && !visiting.has(r.child))) {
      const child = this.documents.get(reference.child) as Row;
      const nested = this.contents(reference.child, visiting);
      data[reference.name] = nested.data;
      references[reference.name] = {
        block_document: {
          id: reference.child,
          name: child.name as string,
          block_type: this.types.get(child.block_type_id as string) ?? null,
          is_anonymous: Boolean(child.is_anonymous),
          block_document_references: nested.references,
        },
      };
    }
    visiting.delete(id);
    const result = {data, references};
    this.built.set(id, result);
    return result;
  }

  private decrypt(row: Row): Record<string, unknown> {
    // Prefect always stores a Fernet token; a raw insert that kept the column default '{}' holds plain JSON.
    if (typeof row.data !== 'string') return {...(row.data as Record<string, unknown> | null)};
    const key = this.key as EncryptionKey;
    let plaintext: Buffer;
    try {
      plaintext = decryptFernet(key.key, row.data);
    } catch (error) {
      if (!(error instanceof InvalidFernetToken)) throw error;
      throw refusedError(
        `cannot decrypt block document "${row.name}" with the key from ${key.source}; set PREFECT_SERVER_ENCRYPTION_KEY to the key of the Prefect server that wrote it`,
      );
    }
    return parseJsonText(plaintext.toString('utf8')) as Record<string, unknown>;
  }
}
