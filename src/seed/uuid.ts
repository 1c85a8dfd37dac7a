import type {SeededRandom} from './random.js';

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

/**
 * A UUIDv7 (RFC 9562) as Prefect 3.4+ mints for runs, states and logs: 48 bits of Unix
 * milliseconds, then random bits — here drawn from the seeded generator, so --seed
 * reproduces ids. Lowercase and hyphenated, as Prefect stores them.
 */
export function uuid7(random: SeededRandom, unixMillis: number): string {
  const millis = Math.floor(unixMillis);
  const high = Math.floor(millis / 0x10000);
  const low = millis % 0x10000;
  const r1 = random.uint32();
  const r2 = random.uint32();
  const r3 = random.uint32();
  return (
    `${hex(high, 8)}-${hex(low, 4)}-7${hex(r1 >>> 20, 3)}-` +
    `${hex(0x8000 | ((r1 >>> 6) & 0x3fff), 4)}-${hex(r2 >>> 16, 4)}${hex(r3, 8)}`
  );
}

/** A UUIDv4 from the seeded generator (Prefect's ORM default for flows, pools, blocks …). */
export function uuid4(random: SeededRandom): string {
  const r1 = random.uint32();
  const r2 = random.uint32();
  const r3 = random.uint32();
  const r4 = random.uint32();
  return (
    `${hex(r1, 8)}-${hex(r2 >>> 16, 4)}-4${hex(r2 & 0xfff, 3)}-` +
    `${hex(0x8000 | (r3 >>> 18), 4)}-${hex(r3 & 0xffff, 4)}${hex(r4, 8)}`
  );
}
