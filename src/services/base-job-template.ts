import {readFileSync} from 'node:fs';

import {isJsonObject, jsonText, parseJson} from '../db/codecs/json-text.js';
import {usageError} from '../errors.js';

// Prefect's placeholder pattern (utilities/templating): {{ name }}.
const PLACEHOLDER = /\{\{\s*([\w.\-[\]$]+)\s*\}\}/g;

/** Reads a base job template file: a JSON object, checked as Prefect's WorkPoolCreate/Update checks it. */
export function readBaseJobTemplate(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw usageError(`cannot read base job template file ${file}`);
  }
  let template: unknown;
  try {
    template = parseJson(text);
  } catch {
    throw usageError(`base job template ${file} is not valid JSON`);
  }
  if (!isJsonObject(template)) {
    throw usageError(`base job template ${file} must be a JSON object`);
  }
  assertValidBaseJobTemplate(template as Record<string, unknown>);
  return template as Record<string, unknown>;
}

/**
 * An empty template is allowed; otherwise it needs `job_configuration` and `variables`, and
 * every {{ placeholder }} in the job configuration must be a property of the variables schema.
 */
function assertValidBaseJobTemplate(template: Record<string, unknown>): void {
  if (Object.keys(template).length === 0) return;
  const jobConfiguration = template.job_configuration as Record<string, unknown> | undefined;
  const variables = template.variables as {properties?: Record<string, unknown>} | undefined;
  if (!jobConfiguration || !variables || typeof jobConfiguration !== 'object' || Object.keys(jobConfiguration).length === 0 || Object.keys(variables).length === 0) {
    throw usageError('the base job template must contain both a `job_configuration` key and a `variables` key');
  }
  const used = new Set<string>();
  for (const value of Object.values(jobConfiguration)) {
    for (const match of jsonText(value ?? null).matchAll(PLACEHOLDER)) used.add(match[1]);
  }
  const declared = new Set(Object.keys(variables.properties ?? {}));
  const missing = [...used].filter((name) => !declared.has(name));
  if (missing.length > 0) {
    throw usageError(`the base job template's job configuration uses undeclared variable(s): ${missing.join(', ')} (add them to variables.properties)`);
  }
}
