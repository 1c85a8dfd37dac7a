import {randomFillSync, randomUUID} from 'node:crypto';

/** A random UUIDv4: Prefect's ORM default id for pools, queues, variables, limits and blocks, and for runs and states before 3.4. */
export function newUuid4(): string {
  return randomUUID();
}

// Random bytes drawn from the OS in blocks: one system call per 400 ids, not per id.
const POOL = Buffer.alloc(4000);
let offset = POOL.length;

function randomBytes10(): Buffer {
  if (offset + 10 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  offset += 10;
  return POOL.subarray(offset - 10, offset);
}

/**
 * A new UUIDv7 (RFC 9562), as Prefect 3.4+ mints them for runs, states, artifacts and events:
 * 48 bits of Unix milliseconds, then 74 random bits from the OS. Ids made in one millisecond
 * are not ordered among themselves, as with Prefect's own.
 */
export function newUuid7(unixMillis: number = Date.now()): string {
  const bytes = Buffer.alloc(16);
  let millis = Math.floor(unixMillis);
  for (let index = 5; index >= 0; index--) {
    bytes[index] = millis % 256;
    millis = Math.floor(millis / 256);
  }
  randomBytes10().copy(bytes, 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Now as the contract's ISO form (six fractional digits, Z). Millisecond precision, like
 * the SQL now() Prefect's ORM writes into `updated` ("…%f000" on SQLite).
 */
export function currentTimestamp(): string {
  return new Date().toISOString().replace('Z', '000Z');
}
