import type {Dialect} from '../../src/db/dialect.js';
import {isPostgresReachable, POSTGRES_ADMIN_URL} from './databases.js';

/**
 * Dialects the behaviour tests run on: both by default, narrowed with
 * PREFECTDB_TEST_DIALECTS="sqlite" when no PostgreSQL is at hand.
 */
export function testDialects(): Dialect[] {
  const wanted = (process.env.PREFECTDB_TEST_DIALECTS ?? 'sqlite postgres').split(/[\s,]+/).filter(Boolean);
  return wanted.filter((d): d is Dialect => d === 'sqlite' || d === 'postgres');
}

/**
 * Call in a before() hook of a PostgreSQL suite. Without a server the suite is skipped
 * with a loud line, except under CI=true, where a missing PostgreSQL is a failure.
 */
export async function requirePostgres(context: Mocha.Context): Promise<void> {
  if (await isPostgresReachable()) return;
  const message = `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI requires the PostgreSQL half of the suite`);
  console.error(`\n!!! SKIPPING PostgreSQL tests: ${message} (set PREFECTDB_TEST_POSTGRES_URL) !!!\n`);
  context.skip();
}
