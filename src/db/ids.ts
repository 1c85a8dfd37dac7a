import {randomBytes, randomUUID} from 'node:crypto';

/** A random UUIDv4: Prefect's ORM default id for pools, queues, variables and limits. */
export function newUuid4(): string {
  return randomUUID();
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits — what Prefect mints
 * with uuid7() for events, runs and states (and work_pool.last_status_event_id).
 */
export function newUuid7(unixMillis: number = Date.now()): string {
  const bytes = randomBytes(16);
  let millis = Math.floor(unixMillis);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = millis % 256;
    millis = Math.floor(millis / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
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
