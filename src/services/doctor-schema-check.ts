import {loadChain} from '../db/migration-chain.js';
import type {Check} from './doctor-checks.js';
import {schemaDrift} from './migrations/schema-drift.js';

/** Names listed per kind in the report; the count covers them all. */
const LISTED = 50;

/**
 * The live schema against the one prefectdb's chain builds at the database's own revision:
 * tables, columns, indexes and constraints missing, extra or defined differently. Nothing to
 * repair automatically: what drifted, and why, is the operator's to judge.
 */
export const schemaDriftCheck: Check = {
  name: 'schema-drift',
  fix: "no automatic fix: compare with a database built by `prefectdb db init --to REVISION`, then restore the named objects by hand or from a backup",
  async detect({ctx}) {
    const revision = ctx.schema.revision;
    const chain = await loadChain(ctx.db.dialect).catch(() => undefined);
    if (!chain || !revision || !chain.some((step) => step.revision === revision)) {
      return {count: 0, sample_ids: [], detail: `not checked: revision ${revision ?? '(none)'} is not in prefectdb's ${ctx.db.dialect} migration chain`};
    }
    const drift = await schemaDrift(ctx.db, revision);
    const names = [...drift.missing, ...drift.extra, ...drift.different];
    return {
      count: names.length,
      sample_ids: names.slice(0, 5),
      detail: {
        revision,
        missing: drift.missing.slice(0, LISTED),
        extra: drift.extra.slice(0, LISTED),
        different: drift.different.slice(0, LISTED),
      },
    };
  },
};
