import {execFileSync, spawnSync} from 'node:child_process';

/**
 * Fernet decryption by implementations other than prefectdb's own: the openssl command-line
 * tool (HMAC-SHA256 check, then AES-128-CBC), and Python's `cryptography` — the library
 * Prefect's server itself uses — when python3 has it. Only the token's byte layout is read
 * here: 0x80 | 8-byte time | 16-byte IV | ciphertext | 32-byte HMAC over everything before it.
 */
export function decryptWithOpenssl(key: string, token: string): string {
  const keyBytes = Buffer.from(key, 'base64url');
  const bytes = Buffer.from(token, 'base64url');
  if (bytes[0] !== 0x80) throw new Error('not a Fernet token');
  const signed = bytes.subarray(0, bytes.length - 32);
  const mac = execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${keyBytes.subarray(0, 16).toString('hex')}`, '-binary'], {input: signed});
  if (!mac.equals(bytes.subarray(bytes.length - 32))) throw new Error('openssl: HMAC does not match');
  const iv = bytes.subarray(9, 25).toString('hex');
  const plaintext = execFileSync('openssl', ['enc', '-d', '-aes-128-cbc', '-K', keyBytes.subarray(16).toString('hex'), '-iv', iv], {input: bytes.subarray(25, bytes.length - 32)});
  return plaintext.toString('utf8');
}

let pythonHasCryptography: boolean | undefined;

export function pythonFernetAvailable(): boolean {
  pythonHasCryptography ??= spawnSync('python3', ['-c', 'import cryptography.fernet'], {stdio: 'ignore'}).status === 0;
  return pythonHasCryptography;
}

export function decryptWithPython(key: string, token: string): string {
  const script = 'import sys\nfrom cryptography.fernet import Fernet\nsys.stdout.write(Fernet(sys.argv[1].encode()).decrypt(sys.argv[2].encode()).decode())';
  return execFileSync('python3', ['-c', script, key, token]).toString('utf8');
}
