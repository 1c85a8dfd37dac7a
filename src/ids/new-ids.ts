import {randomFillSync, randomInt, randomUUID} from 'node:crypto';

import {runSlug} from '../seed/names.js';
import {SeededRandom} from '../seed/random.js';

const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');

/**
 * A UUIDv7 (RFC 9562) with crypto randomness: 48 bits of Unix milliseconds, version 7,
 * variant 10, 74 random bits. Prefect 3.4+ mints these for runs and states.
 */
export function newUuid7(unixMillis: number = Date.now()): string {
  const millis = Math.floor(unixMillis);
  const r = nextRandomBytes(10);
  const high = Math.floor(millis / 0x10000);
  const low = millis % 0x10000;
  return (
    `${hex(high, 8)}-${hex(low, 4)}-7${hex(((r[0] & 0x0f) << 8) | r[1], 3)}-` +
    `${hex(0x8000 | ((r[2] & 0x3f) << 8) | r[3], 4)}-${r.subarray(4, 10).toString('hex')}`
  );
}

// Random bytes drawn a pool at a time: one call per id costs more than the rest of the id.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function nextRandomBytes(count: number): Buffer {
  if (poolOffset + count > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += count;
  return Buffer.from(pool.subarray(poolOffset - count, poolOffset));
}

/** Before 3.4 Prefect gave new runs and states UUIDv4 ids. */
export function newUuid4(): string {
  return randomUUID();
}

/**
 * Random two-word run names like Prefect's generate_slug(2) ("crimson-tortoise"), which
 * the flow_run.name column default gives runs nobody named.
 */
export function runNamer(): () => string {
  const random = new SeededRandom(randomInt(2 ** 32));
  return () => runSlug(random);
}
