import {createRequire} from 'node:module';

import type {ErrorObject, ValidateFunction} from 'ajv';

import {withPlainNumbers} from '../db/codecs/json-text.js';
import {usageError} from '../errors.js';

// ajv ships CommonJS with a default export; require() avoids the ESM interop wrapper.
const Ajv = createRequire(import.meta.url)('ajv') as typeof import('ajv').default;

/**
 * Checks block data against a block schema's `fields` (the JSON Schema Prefect generated from
 * the block's pydantic model). Prefect's extra keywords (block_type_slug, secret_fields,
 * block_schema_references) are ignored, formats such as "password" and "file-path" are
 * documentation only, as in Prefect, and a $ref to a definition the schema does not carry
 * (Prefect's Secret block refers to a JsonValue it never defines) accepts any value.
 */
export function validateBlockData(fields: Record<string, unknown>, data: unknown, typeSlug: string): void {
  const validate = compile(fields);
  // ajv checks types with typeof: numbers kept as their text (1.0, big integers) go in as numbers.
  if (validate(withPlainNumbers(data))) return;
  throw usageError(`--data does not match the ${typeSlug} block schema: ${describe(validate.errors ?? [])} (see \`prefectdb block schema ls --type ${typeSlug} --json\`)`);
}

function compile(fields: Record<string, unknown>): ValidateFunction {
  const ajv = new Ajv({strict: false, validateFormats: false, allErrors: false});
  const schema = withoutDanglingRefs(withPlainNumbers(fields) as Record<string, unknown>);
  delete schema.$schema;
  delete schema.$id;
  return ajv.compile(schema);
}

function describe(errors: ErrorObject[]): string {
  const first = errors[0];
  if (!first) return 'rejected';
  const where = first.instancePath === '' ? 'the data' : `field ${first.instancePath.slice(1).replaceAll('/', '.')}`;
  const extra = first.keyword === 'additionalProperties' ? ` ("${(first.params as {additionalProperty: string}).additionalProperty}")` : '';
  return `${where} ${first.message ?? 'is invalid'}${extra}`;
}

function withoutDanglingRefs(schema: Record<string, unknown>): Record<string, unknown> {
  const resolves = (pointer: string): boolean => {
    let node: unknown = schema;
    for (const part of pointer.split('/').slice(1)) {
      const key = decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~');
      if (typeof node !== 'object' || node === null || !(key in node)) return false;
      node = (node as Record<string, unknown>)[key];
    }
    return true;
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const object = node as Record<string, unknown>;
    if (typeof object.$ref === 'string' && object.$ref.startsWith('#') && !resolves(object.$ref)) delete object.$ref;
    Object.values(object).forEach(visit);
  };
  visit(schema);
  return schema;
}
