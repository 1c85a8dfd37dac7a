import {jsonText, parseJson} from '../db/codecs/json-text.js';
import {currentTimestamp, newUuid4} from '../db/ids.js';
import {refusedError, usageError} from '../errors.js';
import {type RepositoryContext, withTransaction} from '../repositories/common.js';
import {
  deleteVariableRow,
  findVariable,
  findVariableByName,
  insertVariableRow,
  updateVariableRow,
  type VariableRecord,
  variableValuesAreJson,
} from '../repositories/variables.js';
import {inTransaction} from './batches.js';
import type {WriteOptions} from './write-options.js';

// Prefect's MAX_VARIABLE_NAME_LENGTH and MAX_VARIABLE_VALUE_LENGTH.
const MAX_NAME_LENGTH = 255;
const MAX_VALUE_LENGTH = 5000;

/**
 * The value `prefect variable set` would send for VALUE: parsed as JSON when it is JSON,
 * else the text itself. A 2.x database stores text only: a JSON string is stored as that
 * string, any other value as the text given.
 */
export function parseVariableValue(text: string, json: boolean): unknown {
  let parsed: unknown = text;
  try {
    parsed = parseJson(text);
  } catch {
    return text;
  }
  if (json) return parsed;
  return typeof parsed === 'string' ? parsed : text;
}

/** Prefect's checks: lowercase letters, digits, "_" (and "-" since 3.0); at most 255 characters. */
function assertVariableName(name: string, json: boolean): void {
  const pattern = json ? /^[a-z0-9_-]+$/ : /^[a-z0-9_]+$/;
  if (!pattern.test(name) || name.length > MAX_NAME_LENGTH) {
    const allowed = json ? 'lowercase letters, digits, dashes and underscores' : 'lowercase letters, digits and underscores';
    throw usageError(`invalid variable name "${name.slice(0, 40)}": use ${allowed}, at most ${MAX_NAME_LENGTH} characters`);
  }
}

function assertValueSize(value: unknown, json: boolean): void {
  // Prefect measures the compact JSON (orjson) of a 3.x value, the text of a 2.x one.
  const size = json ? (value === null ? 0 : Buffer.byteLength(jsonText(value))) : String(value).length;
  if (size > MAX_VALUE_LENGTH) throw usageError(`variable value too long: ${size} characters, at most ${MAX_VALUE_LENGTH}`);
}

/**
 * Creates a variable, or with `overwrite` replaces the value and tags of an existing one
 * (as `prefect variable set --overwrite` does: tags become the ones given, or none).
 */
export async function setVariable(
  ctx: RepositoryContext,
  input: {name: string; value: string; tags: string[]; overwrite: boolean},
  options: WriteOptions = {},
): Promise<{variable: VariableRecord; created: boolean}> {
  const json = variableValuesAreJson(ctx);
  assertVariableName(input.name, json);
  const value = parseVariableValue(input.value, json);
  assertValueSize(value, json);
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const existing = await findVariableByName(tx, input.name);
      const now = currentTimestamp();
      if (existing && !input.overwrite) throw refusedError(`variable "${input.name}" already exists (pass --overwrite to replace it)`);
      if (existing) await updateVariableRow(tx, existing.id, {name: input.name, value, tags: input.tags, updated: now});
      else await insertVariableRow(tx, {id: newUuid4(), created: now, updated: now, name: input.name, value, tags: input.tags});
      return {variable: (await findVariableByName(tx, input.name))!, created: !existing};
    },
    {rollback: options.dryRun},
  );
}

export async function unsetVariable(ctx: RepositoryContext, nameOrId: string, options: WriteOptions = {}): Promise<VariableRecord> {
  return inTransaction(
    ctx.db,
    async (trx) => {
      const tx = withTransaction(ctx, trx);
      const variable = await findVariable(tx, nameOrId);
      await deleteVariableRow(tx, variable.id);
      return variable;
    },
    {rollback: options.dryRun},
  );
}
