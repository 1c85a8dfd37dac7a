import type {Knex} from 'knex';

import {countUpTo, type RepositoryContext} from './common.js';
import {estimatedRowCount} from './row-estimates.js';
import type {RunKind} from './run-states.js';

/**
 * Whether a limited, sorted list of runs is better read by walking the sort column's index
 * (stopping after `limit` matches) than through the filter's own indexes (reading every match,
 * then sorting them). Prefect's SQLite files carry no planner statistics, so SQLite always
 * takes the filter's index: seconds for "the latest 20 COMPLETED runs" of a million. Walking
 * the sort index reads about limit × total / matching rows; the filter index reads the
 * matching rows: the walk wins once matching² > limit × total. The matches are counted only
 * up to that point, so the choice itself costs a bounded index read. PostgreSQL plans this
 * itself from its statistics.
 *
 * For a whole list (no limit) the walk reads every run once along the index, while the
 * filter's index reads the matches and then sorts them all (in temporary files once they
 * outgrow the cache): the walk wins once a tenth of the runs match.
 */
export async function sortIndexServesFilter(
  ctx: RepositoryContext,
  table: RunKind,
  options: {limit: number | undefined; sortColumnIndexed: boolean; filterIndexed: boolean},
  matching: () => Knex.QueryBuilder,
): Promise<boolean> {
  const {limit, sortColumnIndexed, filterIndexed} = options;
  if (ctx.db.dialect !== 'sqlite' || !sortColumnIndexed || !filterIndexed) return false;
  const total = await estimatedRowCount(ctx, table);
  const threshold = limit === undefined ? Math.ceil(total / 10) : Math.ceil(Math.sqrt(limit * total));
  if (limit !== undefined && threshold <= limit) return false;
  return (await countUpTo(matching(), threshold + 1)) > threshold;
}
