import {randomUUID} from 'node:crypto';

import type {Knex} from 'knex';

import {type BlockData, checkBlockName, keepMaskedSecrets, separateReferences, type DataReference} from '../blocks/block-data.js';
import {encryptionKeyForWriting} from '../blocks/encryption-key.js';
import {encryptFernet} from '../blocks/fernet.js';
import {secretFieldsOf} from '../blocks/secrets.js';
import {validateBlockData} from '../blocks/schema-validation.js';
import {nowIso} from '../db/codecs/instant.js';
import {pythonJsonDumps} from '../db/codecs/python-json.js';
import type {Database} from '../db/connection.js';
import type {SchemaInfo} from '../db/schema-info.js';
import {notFoundError, refusedError, usageError} from '../errors.js';
import {type BlockDependents, blockDependents, blockDocumentNameTaken, blockSchemaFields, clearDefaultResultStorageFor, deleteBlockDocumentReference, deleteBlockDocumentRow, insertBlockDocument, insertBlockDocumentReference, insertEncryptionKey, latestBlockSchema, referencePathExists, referencesOf, storedEncryptionKey, updateBlockDocumentData} from '../repositories/block-writes.js';
import {type BlockDocumentRecord, findBlockDocument} from '../repositories/blocks.js';
import {repositoryContext, type RepositoryContext} from '../repositories/common.js';
import {inTransaction} from './batches.js';

/**
 * Block document writes as Prefect's server makes them (models/block_documents.py): data
 * split from nested-block references, serialised as Python's json.dumps and Fernet-encrypted
 * with the server's key (created and stored the server's way when there is none), the
 * references kept in block_document_reference. Each command is one transaction; a dry run
 * makes the same changes and rolls them back.
 */

export interface BlockWriteOptions {
  dryRun?: boolean;
  /** Where PREFECT_SERVER_ENCRYPTION_KEY may come from; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

function transactionContext(db: Database, schema: SchemaInfo, trx: Knex.Transaction): RepositoryContext {
  return repositoryContext({...db, knex: trx}, schema);
}

/** Splits `type-slug/name`, the address Prefect's CLI gives blocks. */
export function parseBlockAddress(address: string): {slug: string; name: string} {
  const slash = address.indexOf('/');
  if (slash <= 0 || slash === address.length - 1) {
    throw usageError(`"${address.slice(0, 60)}" is not TYPE_SLUG/NAME (e.g. secret/db-password)`);
  }
  return {slug: address.slice(0, slash), name: address.slice(slash + 1)};
}

async function encrypt(ctx: RepositoryContext, data: BlockData, env: NodeJS.ProcessEnv, now: string): Promise<string> {
  const key = encryptionKeyForWriting(env, await storedEncryptionKey(ctx));
  if (key.newKey) await insertEncryptionKey(ctx, key.newKey, now);
  return encryptFernet(key.key, pythonJsonDumps(data));
}

/**
 * The data as the block will read back, for schema validation: each reference replaced by
 * the referenced document's own full data. A reference to no document is not found (exit 3).
 */
async function dataWithReferencesResolved(ctx: RepositoryContext, own: BlockData, references: DataReference[], env: NodeJS.ProcessEnv, original: BlockData): Promise<BlockData> {
  const resolved: BlockData = {};
  const byField = new Map(references.map((reference) => [reference.field, reference]));
  for (const field of Object.keys(original)) {
    const reference = byField.get(field);
    if (!reference) {
      resolved[field] = own[field];
      continue;
    }
    const exists = await ctx.db.knex('block_document').where('id', reference.blockDocumentId).first('id');
    if (!exists) throw notFoundError(`field "${field}" refers to block document ${reference.blockDocumentId.slice(0, 36)}, which does not exist`);
    resolved[field] = (await findBlockDocument(ctx, reference.blockDocumentId, {showSecrets: true, env})).data;
  }
  return resolved;
}

export async function createBlockDocument(db: Database, schema: SchemaInfo, address: string, data: BlockData, options: BlockWriteOptions = {}): Promise<BlockDocumentRecord> {
  const env = options.env ?? process.env;
  const {slug, name} = parseBlockAddress(address);
  checkBlockName(name);
  const {own, references} = separateReferences(data);
  return inTransaction(db, async (trx) => {
    const ctx = transactionContext(db, schema, trx);
    const target = await latestBlockSchema(ctx, slug);
    if (await blockDocumentNameTaken(ctx, target.type.id, name)) {
      throw refusedError(`block ${slug}/${name} already exists: change it with \`prefectdb block update ${slug}/${name}\``);
    }
    validateBlockData(target.fields, await dataWithReferencesResolved(ctx, own, references, env, data), slug);
    const now = nowIso();
    const id = randomUUID();
    await insertBlockDocument(ctx, {id, name, token: await encrypt(ctx, own, env, now), schemaId: target.schemaId, type: target.type, now});
    for (const reference of references) await insertBlockDocumentReference(ctx, id, reference.field, reference.blockDocumentId, now);
    return findBlockDocument(ctx, id, {showSecrets: false, env});
  }, {rollback: options.dryRun});
}

/**
 * Merges `update` into the document's data as Prefect's PATCH does (top-level fields
 * replaced, masked secrets kept). Nested blocks the update does not name stay referenced:
 * Prefect's client always sends them back, a partial update on the command line does not.
 */
export async function updateBlockDocument(db: Database, schema: SchemaInfo, address: string, update: BlockData, options: BlockWriteOptions = {}): Promise<BlockDocumentRecord> {
  const env = options.env ?? process.env;
  return inTransaction(db, async (trx) => {
    const ctx = transactionContext(db, schema, trx);
    const current = await findBlockDocument(ctx, address, {showSecrets: true, env});
    const fields = await blockSchemaFields(ctx, current.block_schema_id);
    const currentOwn: BlockData = {};
    const merged: BlockData = {};
    for (const [field, value] of Object.entries(current.data)) {
      const reference = current.block_document_references[field];
      if (reference) merged[field] = {$ref: {block_document_id: reference.block_document.id}};
      else merged[field] = currentOwn[field] = value;
    }
    Object.assign(merged, keepMaskedSecrets(update, currentOwn, secretFieldsOf(fields)));
    const {own, references} = separateReferences(merged);
    const slug = current.block_type?.slug ?? 'this';
    validateBlockData(fields, await dataWithReferencesResolved(ctx, own, references, env, merged), slug);
    const now = nowIso();
    await updateBlockDocumentData(ctx, current.id, await encrypt(ctx, own, env, now), now);
    await replaceReferences(ctx, current.id, references, now);
    return findBlockDocument(ctx, current.id, {showSecrets: false, env});
  }, {rollback: options.dryRun});
}

/** Keeps references that did not change, adds the new ones and drops the rest, as Prefect does. */
async function replaceReferences(ctx: RepositoryContext, parentId: string, wanted: DataReference[], now: string): Promise<void> {
  const stored = await referencesOf(ctx, parentId);
  const kept = new Set<string>();
  for (const reference of wanted) {
    const same = stored.find((row) => row.name === reference.field && row.child === reference.blockDocumentId);
    if (same) {
      kept.add(same.id);
      continue;
    }
    if (await referencePathExists(ctx, reference.blockDocumentId, parentId)) {
      throw usageError(`field "${reference.field}" would make block ${reference.blockDocumentId.slice(0, 36)} nest itself: block references cannot form a cycle`);
    }
    await insertBlockDocumentReference(ctx, parentId, reference.field, reference.blockDocumentId, now);
  }
  for (const row of stored) if (!kept.has(row.id)) await deleteBlockDocumentReference(ctx, row.id);
}

export interface BlockDeletionPlan {
  block: BlockDocumentRecord;
  dependents: BlockDependents;
}

/** The document and what the foreign keys would delete with it, for the confirmation. */
export async function planBlockDeletion(db: Database, schema: SchemaInfo, address: string, options: BlockWriteOptions = {}): Promise<BlockDeletionPlan> {
  const ctx = repositoryContext(db, schema);
  const block = await findBlockDocument(ctx, address, {showSecrets: false, env: options.env});
  return {block, dependents: await blockDependents(ctx, block.id)};
}

export async function deleteBlockDocument(db: Database, schema: SchemaInfo, id: string, options: BlockWriteOptions = {}): Promise<void> {
  await inTransaction(db, async (trx) => {
    const ctx = transactionContext(db, schema, trx);
    await deleteBlockDocumentRow(ctx, id);
    await clearDefaultResultStorageFor(ctx, id);
  }, {rollback: options.dryRun});
}
