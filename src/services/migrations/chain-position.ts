import type {ChainStep} from '../../db/migration-chain.js';
import type {Dialect} from '../../db/dialect.js';
import {compareReleases} from '../../db/release.js';
import {isBefore213} from '../../db/revisions-before-2-13.js';
import type {SchemaInfo} from '../../db/schema-info.js';
import {refusedError, usageError} from '../../errors.js';

const FIRST_RELEASE = '2.13.0';
const RELEASE = /^\d+\.\d+(\.\d+)?$/;
const REVISION = /^[0-9a-f]{12}$/i;

function refuseOlderThanChain(what: string): never {
  throw refusedError(
    `${what} is older than Prefect ${FIRST_RELEASE}, where prefectdb's migration chain starts: ` +
      `take it to 2.13 with Prefect's own upgrade first (prefect server database upgrade, with a Prefect 2.13 to 3.x install)`,
  );
}

/**
 * Where the database stands in the chain (an index into it), or the refusal that says why
 * prefectdb will not migrate it: not Prefect's, empty, older than 2.13.0, or newer than
 * prefectdb knows.
 */
export function currentPosition(chain: ChainStep[], schema: SchemaInfo): number {
  if (schema.kind === 'empty') {
    throw refusedError('the database is empty, not a Prefect database: nothing to migrate (build one with `prefectdb db init --to REV|RELEASE`)');
  }
  if (schema.kind !== 'prefect') {
    throw refusedError('not a Prefect database: it has no alembic_version table, so prefectdb will not migrate it (check --db / PREFECTDB_DATABASE_URL)');
  }
  const revision = schema.revision;
  if (!revision) throw refusedError('alembic_version is empty: the database records no revision, so prefectdb cannot tell where to start');
  const index = chain.findIndex((step) => step.revision === revision);
  if (index >= 0) return index;
  if (isBefore213(schema.dialect, revision)) refuseOlderThanChain(`the database's revision ${revision}`);
  throw refusedError(
    `the database is at revision ${revision}, which prefectdb's ${schema.dialect} chain (Prefect ${FIRST_RELEASE} to ${chain[chain.length - 1].revision}) does not know: ` +
      `a newer Prefect wrote it; migrate it with that Prefect (prefect server database upgrade / downgrade)`,
  );
}

/**
 * The chain index `--to` names: `head`, a revision id of this dialect, or a Prefect release
 * (the last revision whose release is that one or older, i.e. the schema that release runs on).
 */
export function targetPosition(chain: ChainStep[], dialect: Dialect, spec: string): number {
  const wanted = spec.trim();
  if (wanted.toLowerCase() === 'head') return chain.length - 1;
  if (RELEASE.test(wanted)) return releasePosition(chain, wanted);
  const index = chain.findIndex((step) => step.revision === wanted.toLowerCase());
  if (index >= 0) return index;
  if (REVISION.test(wanted) && isBefore213(dialect, wanted.toLowerCase())) refuseOlderThanChain(`revision ${wanted}`);
  throw usageError(
    `--to ${wanted.slice(0, 40)}: not a ${dialect} revision of prefectdb's chain, a Prefect release (like 3.0.0) or head ` +
      `(the chain runs from ${chain[0].revision}, Prefect ${FIRST_RELEASE}, to ${chain[chain.length - 1].revision})`,
  );
}

function releasePosition(chain: ChainStep[], release: string): number {
  if (compareReleases(release, FIRST_RELEASE) < 0) refuseOlderThanChain(`Prefect ${release}`);
  const head = chain[chain.length - 1].release;
  if (compareReleases(release, head) > 0 && majorMinor(release) !== majorMinor(head)) {
    throw usageError(`--to ${release}: prefectdb knows Prefect's migrations up to ${head}; a later release may add its own (use head for the newest prefectdb knows)`);
  }
  let found = 0;
  for (const [index, step] of chain.entries()) if (compareReleases(step.release, release) <= 0) found = index;
  return found;
}

function majorMinor(release: string): string {
  return release.split('.').slice(0, 2).join('.');
}
