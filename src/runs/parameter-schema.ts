import {createRequire} from 'node:module';

import {withPlainNumbers} from '../db/codecs/json-text.js';
import {refusedError, usageError} from '../errors.js';

type Validate = ((data: unknown) => boolean) & {errors?: Array<{instancePath: string; message?: string}> | null};
type AjvInstance = {compile(schema: object): Validate};

/**
 * Checks flow run parameters against the deployment's parameter_openapi_schema as Prefect
 * does when enforce_parameter_schema is set: JSON Schema draft 2020-12 (Prefect uses
 * jsonschema's Draft202012Validator); keywords Pydantic adds (position, …) are ignored.
 * A deployment without a schema object is refused, as Prefect's API refuses it.
 */
export function validateParameters(parameters: Record<string, unknown>, schema: unknown): void {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw refusedError('the deployment enforces its parameter schema but has no valid one (Prefect refuses such runs too)');
  }
  let validate: Validate;
  try {
    // ajv checks types with typeof: numbers kept as their text (1.0, big integers) go in as numbers.
    validate = ajv().compile(withPlainNumbers(schema) as object);
  } catch (error) {
    throw refusedError(`the deployment's parameter schema cannot be used: ${(error as Error).message.slice(0, 120)}`);
  }
  if (validate(withPlainNumbers(parameters))) return;
  const first = validate.errors?.[0];
  const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'parameters';
  throw usageError(`parameters do not match the deployment's schema: ${where} ${first?.message ?? 'is invalid'} (fix the value, or see \`deployment inspect\` for the schema)`);
}

let instance: AjvInstance | undefined;

function ajv(): AjvInstance {
  if (!instance) {
    // ajv ships CommonJS; its 2020-12 build is the default export of ajv/dist/2020.
    const Ajv2020 = createRequire(import.meta.url)('ajv/dist/2020').default as new (options: object) => AjvInstance;
    instance = new Ajv2020({strict: false, allErrors: false, validateFormats: false});
  }
  return instance;
}
