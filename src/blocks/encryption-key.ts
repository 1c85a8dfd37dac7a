import {refusedError, usageError} from '../errors.js';
import {type FernetKey, generateFernetKey, isFernetKey, parseFernetKey} from './fernet.js';

/** The key Prefect's server encrypts block documents with, and where it came from (for messages). */
export interface EncryptionKey {
  key: FernetKey;
  source: string;
}

/** Environment variables Prefect's server reads the key from, in its order of preference. */
export const ENCRYPTION_KEY_VARIABLES = ['PREFECT_SERVER_ENCRYPTION_KEY', 'ORION_ENCRYPTION_KEY'] as const;

/** The `configuration` row the server creates the first time it encrypts anything. */
export const ENCRYPTION_KEY_CONFIGURATION = 'ENCRYPTION_KEY';

/**
 * Picks the key the way Prefect's server does: a non-empty environment variable wins over
 * the database's own `configuration` row ({"fernet_key": "…"}). Unlike the server, never
 * creates a key: a new key could not decrypt anything already stored.
 */
export function chooseEncryptionKey(
  env: NodeJS.ProcessEnv,
  configurationValue: unknown,
): EncryptionKey {
  for (const variable of ENCRYPTION_KEY_VARIABLES) {
    const text = env[variable];
    if (text) return {key: checkedKey(text, variable, usageError), source: variable};
  }
  const source = `the configuration row ${ENCRYPTION_KEY_CONFIGURATION}`;
  if (configurationValue === undefined || configurationValue === null) {
    throw refusedError(
      `cannot decrypt block documents: the database has no ${ENCRYPTION_KEY_CONFIGURATION} configuration row; set PREFECT_SERVER_ENCRYPTION_KEY to the server's key`,
    );
  }
  const stored = (configurationValue as {fernet_key?: unknown}).fernet_key;
  // A malformed stored key is the database's problem, not the user's input.
  return {key: checkedKey(typeof stored === 'string' ? stored : '', source, refusedError), source};
}

function checkedKey(text: string, source: string, failure: (message: string) => Error): FernetKey {
  if (!isFernetKey(text)) {
    throw failure(`${source} is not a Fernet key: expected 32 url-safe base64-encoded bytes (44 characters ending in "=")`);
  }
  return parseFernetKey(text);
}

/** The key a write encrypts with; `newKey` is set when it must first be stored in `configuration`. */
export interface WritingKey extends EncryptionKey {
  newKey?: string;
}

/**
 * The key for encrypting, chosen as Prefect's server chooses it when it writes: the
 * environment first, then the stored row, and when neither exists a new key that the
 * caller stores as {"fernet_key": KEY} under ENCRYPTION_KEY, as the server does.
 */
export function encryptionKeyForWriting(env: NodeJS.ProcessEnv, configurationValue: unknown): WritingKey {
  const fromEnvironment = ENCRYPTION_KEY_VARIABLES.some((variable) => env[variable]);
  if (fromEnvironment || (configurationValue !== undefined && configurationValue !== null)) {
    return chooseEncryptionKey(env, configurationValue);
  }
  const newKey = generateFernetKey();
  return {key: parseFernetKey(newKey), source: `a new ${ENCRYPTION_KEY_CONFIGURATION} configuration row`, newKey};
}
