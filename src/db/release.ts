import type {SchemaInfo} from './schema-info.js';

/**
 * Whether the database's revision belongs to Prefect `release` or later. A revision
 * prefectdb does not know (written under --allow-unknown-revision) counts as the newest.
 */
export function releaseAtLeast(schema: SchemaInfo, release: string): boolean {
  const known = schema.known;
  if (!known) return true;
  return compareReleases(known.release, release) >= 0;
}

/** Orders Prefect release numbers (`2.13.0` < `2.16.4` < `3.0.0`); text after the digits is ignored. */
export function compareReleases(a: string, b: string): number {
  const parts = (text: string) => (text.match(/^\d+(\.\d+)*/)?.[0] ?? '0').split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
