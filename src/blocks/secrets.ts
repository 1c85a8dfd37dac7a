import {copyJson, isJsonObject} from '../db/codecs/json-text.js';

/**
 * Hides secret values in block document data the way Prefect's REST API does when it is
 * not asked to include secrets (`BlockDocument.from_orm_model`). A schema names its
 * secrets in `fields.secret_fields` as dotted paths into the data, e.g. `password`,
 * `credentials.aws_secret_access_key`, or with a wildcard, `service_account_info.*`,
 * meaning everything at or below `service_account_info`.
 */

/** What Prefect shows in place of a secret (`prefect.utilities.names.obfuscate`). */
export const OBFUSCATED = '********';

type JsonObject = Record<string, unknown>;

const isObject: (value: unknown) => value is JsonObject = isJsonObject;

/**
 * The paths of the data's leaves, as Prefect flattens it: only non-empty objects are
 * descended into; arrays, empty objects and scalars are leaves.
 */
function leafPaths(value: JsonObject, parent: string[] = []): string[][] {
  return Object.entries(value).flatMap(([key, child]) =>
    isObject(child) && Object.keys(child).length > 0 ? leafPaths(child, [...parent, key]) : [[...parent, key]],
  );
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return path.length >= prefix.length && prefix.every((part, i) => path[i] === part);
}

function valueAt(data: JsonObject, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as JsonObject)[key], data);
}

function replaceAt(data: JsonObject, path: readonly string[], value: unknown): void {
  const parent = valueAt(data, path.slice(0, -1)) as JsonObject;
  parent[path[path.length - 1]] = value;
}

/** A copy of `data` with every value named by `secretFields` replaced by `********`. */
export function maskSecrets(data: unknown, secretFields: readonly string[]): unknown {
  if (!isObject(data)) return data;
  const masked = copyJson(data);
  const leaves = leafPaths(masked);
  for (const field of secretFields) {
    const path = field.split('.');
    const exact = leaves.find((leaf) => leaf.length === path.length && startsWith(leaf, path));
    if (exact && valueAt(masked, exact) != null) {
      replaceAt(masked, exact, OBFUSCATED);
      continue;
    }
    // Prefect compares only the part before the first `*`, and masks nulls there too.
    const wildcard = path.indexOf('*');
    if (wildcard < 0) continue;
    for (const leaf of leaves) {
      if (startsWith(leaf, path.slice(0, wildcard))) replaceAt(masked, leaf, OBFUSCATED);
    }
  }
  return masked;
}

/** The secret field paths a block schema's `fields` declares. */
export function secretFieldsOf(fields: unknown): string[] {
  const declared = isObject(fields) ? fields.secret_fields : undefined;
  return Array.isArray(declared) ? declared.filter((f): f is string => typeof f === 'string') : [];
}
