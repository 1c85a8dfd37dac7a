import {isJsonObject, parseJson} from '../db/codecs/json-text.js';
import {usageError} from '../errors.js';
import {OBFUSCATED} from './secrets.js';

/**
 * What Prefect's server does to block document data before it encrypts it: nested
 * blocks given as {"$ref": {"block_document_id": …}} become block_document_reference
 * rows, and on update, secrets posted back as ******** keep their stored value.
 */

export type BlockData = Record<string, unknown>;

export interface DataReference {
  field: string;
  blockDocumentId: string;
}

// Prefect's BlockDocumentName: lowercase letters, digits and dashes, not empty.
const BLOCK_NAME = /^[a-z0-9-]+$/;

export function checkBlockName(name: string): void {
  if (!BLOCK_NAME.test(name)) {
    throw usageError(`invalid block name "${name.slice(0, 40)}": use only lowercase letters, numbers and dashes, as Prefect requires`);
  }
}

const isObject = isJsonObject;

/** Parses --data text: it must be a JSON object. */
export function parseBlockData(text: string): BlockData {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    throw usageError(`--data is not valid JSON (starts "${text.trim().slice(0, 20)}"): give a JSON object such as '{"value": "s3cr3t"}'`);
  }
  if (!isObject(value)) throw usageError('--data must be a JSON object of the block\'s fields, such as \'{"value": "s3cr3t"}\'');
  return value;
}

/**
 * Splits the top-level fields holding {"$ref": {"block_document_id": ID}} from the data that
 * is encrypted, as Prefect does (only top-level fields can be references).
 */
export function separateReferences(data: BlockData): {own: BlockData; references: DataReference[]} {
  const own: BlockData = {};
  const references: DataReference[] = [];
  for (const [field, value] of Object.entries(data)) {
    if (isObject(value) && '$ref' in value) {
      const target = isObject(value.$ref) ? value.$ref.block_document_id : undefined;
      if (typeof target !== 'string' || target === '') {
        throw usageError(`field "${field}" is a block reference without a block_document_id: write {"$ref": {"block_document_id": "ID"}}`);
      }
      references.push({field, blockDocumentId: target.toLowerCase()});
    } else {
      own[field] = value;
    }
  }
  return {own, references};
}

type FlatData = Map<string, {path: string[]; value: unknown}>;

/** Prefect's dict_to_flatdict: non-empty objects are descended into, everything else is a leaf. */
function flatten(data: BlockData, parent: string[] = [], out: FlatData = new Map()): FlatData {
  for (const [key, value] of Object.entries(data)) {
    const path = [...parent, key];
    if (isObject(value) && Object.keys(value).length > 0) flatten(value, path, out);
    else out.set(JSON.stringify(path), {path, value});
  }
  return out;
}

function unflatten(flat: FlatData): BlockData {
  const out: BlockData = {};
  for (const {path, value} of flat.values()) {
    let node = out;
    for (const key of path.slice(0, -1)) {
      if (!isObject(node[key])) node[key] = {};
      node = node[key] as BlockData;
    }
    node[path[path.length - 1]] = value;
  }
  return out;
}

/**
 * A secret sent back as its mask (`********`) means "keep it": Prefect puts the stored value
 * back for each secret field (and, for wildcard fields, each masked value beneath them).
 */
export function keepMaskedSecrets(update: BlockData, current: BlockData, secretFields: readonly string[]): BlockData {
  const flatUpdate = flatten(update);
  const flatCurrent = flatten(current);
  for (const field of secretFields) {
    const path = field.split('.');
    const key = JSON.stringify(path);
    const stored = flatCurrent.get(key);
    if (stored !== undefined && stored.value !== null) {
      if (flatUpdate.get(key)?.value === OBFUSCATED) flatUpdate.set(key, stored);
      continue;
    }
    const wildcard = path.indexOf('*');
    if (wildcard < 0) continue;
    const prefix = path.slice(0, wildcard);
    for (const [updateKey, entry] of flatUpdate) {
      const matches = prefix.every((part, i) => entry.path[i] === part);
      const previous = flatCurrent.get(updateKey);
      if (matches && entry.value === OBFUSCATED && previous) flatUpdate.set(updateKey, previous);
    }
  }
  return unflatten(flatUpdate);
}
