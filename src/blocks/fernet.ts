import {createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual} from 'node:crypto';

/**
 * Fernet (https://github.com/fernet/spec), the token format Prefect's server uses for
 * block document data through Python's `cryptography`. A token is url-safe base64 of
 *   0x80 | 8-byte big-endian seconds | 16-byte IV | AES-128-CBC ciphertext | 32-byte HMAC-SHA256
 * signed with the first half of the key and encrypted with the second half.
 */

const VERSION = 0x80;
const HEADER_LENGTH = 1 + 8 + 16;
const HMAC_LENGTH = 32;
const BLOCK_LENGTH = 16;
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}=$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]+=*$/;

/** A token that does not verify under the key, or is not a Fernet token at all. */
export class InvalidFernetToken extends Error {
  constructor(reason: string) {
    super(`invalid Fernet token: ${reason}`);
    this.name = 'InvalidFernetToken';
  }
}

export interface FernetKey {
  signingKey: Buffer;
  encryptionKey: Buffer;
}

/** True for what `Fernet.generate_key()` produces: 32 bytes, url-safe base64, padded (44 chars). */
export function isFernetKey(text: string): boolean {
  return KEY_PATTERN.test(text) && Buffer.from(text, 'base64url').length === 32;
}

export function parseFernetKey(text: string): FernetKey {
  if (!isFernetKey(text)) throw new Error('a Fernet key is 32 url-safe base64-encoded bytes (44 characters ending in "=")');
  const bytes = Buffer.from(text, 'base64url');
  return {signingKey: bytes.subarray(0, 16), encryptionKey: bytes.subarray(16)};
}

export function decryptFernet(key: FernetKey, token: string): Buffer {
  if (!TOKEN_PATTERN.test(token)) throw new InvalidFernetToken('not url-safe base64');
  const bytes = Buffer.from(token, 'base64url');
  const ciphertextLength = bytes.length - HEADER_LENGTH - HMAC_LENGTH;
  if (bytes[0] !== VERSION || ciphertextLength <= 0 || ciphertextLength % BLOCK_LENGTH !== 0) {
    throw new InvalidFernetToken('malformed token');
  }
  const signed = bytes.subarray(0, bytes.length - HMAC_LENGTH);
  const expected = createHmac('sha256', key.signingKey).update(signed).digest();
  if (!timingSafeEqual(expected, bytes.subarray(bytes.length - HMAC_LENGTH))) {
    throw new InvalidFernetToken('signature does not match this key');
  }
  const iv = bytes.subarray(9, HEADER_LENGTH);
  const decipher = createDecipheriv('aes-128-cbc', key.encryptionKey, iv);
  try {
    return Buffer.concat([decipher.update(signed.subarray(HEADER_LENGTH)), decipher.final()]);
  } catch {
    throw new InvalidFernetToken('bad padding');
  }
}

export interface EncryptOptions {
  /** Seconds since the epoch written into the token; now by default. */
  time?: number;
  /** 16 bytes; random by default. Fixed only to reproduce known tokens in tests. */
  iv?: Buffer;
}

export function encryptFernet(key: FernetKey, plaintext: Buffer | string, options: EncryptOptions = {}): string {
  const iv = options.iv ?? randomBytes(16);
  const header = Buffer.alloc(9);
  header[0] = VERSION;
  header.writeBigUInt64BE(BigInt(options.time ?? Math.floor(Date.now() / 1000)), 1);
  const cipher = createCipheriv('aes-128-cbc', key.encryptionKey, iv);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const signed = Buffer.concat([header, iv, cipher.update(data), cipher.final()]);
  const hmac = createHmac('sha256', key.signingKey).update(signed).digest();
  // Python's urlsafe_b64decode rejects unpadded input, and Node's base64url drops the '='.
  return Buffer.concat([signed, hmac]).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

/** A new key as `Fernet.generate_key()` writes it: 32 random bytes, url-safe base64 with padding. */
export function generateFernetKey(): string {
  return randomBytes(32).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}
