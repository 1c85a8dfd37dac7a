import {isJsonObject, parseJson} from '../db/codecs/json-text.js';
import {usageError} from '../errors.js';

/** Reads a JSON value given on the command line, or on stdin when the text is "-". */
export async function parseJsonInput(text: string, what: string): Promise<unknown> {
  const source = text === '-' ? await readStdin() : text;
  try {
    return parseJson(source);
  } catch (error) {
    throw usageError(`${what} is not valid JSON (${(error as Error).message.split('\n')[0].slice(0, 80)})`);
  }
}

/** Like parseJsonInput, for a JSON object. */
export async function parseJsonObject(text: string, what: string): Promise<Record<string, unknown>> {
  const value = await parseJsonInput(text, what);
  if (!isJsonObject(value)) throw usageError(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** "key=JSON" (a value that is not JSON is taken as a string, as Prefect's CLI does). */
export function parseKeyValue(text: string, what: string): [string, unknown] {
  const at = text.indexOf('=');
  if (at <= 0) throw usageError(`${what} "${text.slice(0, 40)}" must look like key=value`);
  const raw = text.slice(at + 1);
  try {
    return [text.slice(0, at), parseJson(raw)];
  } catch {
    return [text.slice(0, at), raw];
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
