import type {RepositoryContext} from './common.js';

/**
 * About how many rows `table` holds, read from what the database already keeps rather than
 * by counting: PostgreSQL's planner statistics (`reltuples`, or the live-tuple counter
 * before the first ANALYZE); on SQLite the span of rowids, two b-tree descents whatever the
 * size (Prefect's files carry no sqlite_stat1; deleted rows leave gaps, so this errs high).
 */
export async function estimatedRowCount(ctx: RepositoryContext, table: string): Promise<number> {
  const {knex} = ctx.db;
  if (ctx.db.dialect === 'sqlite') {
    const [row] = await knex.raw('select coalesce((select max(rowid) from ??) - (select min(rowid) from ??) + 1, 0) as estimate', [table, table]);
    return Number(row.estimate);
  }
  const {rows} = await knex.raw(
    `select case when c.reltuples >= 0 then c.reltuples::bigint else coalesce(s.n_live_tup, 0) end as estimate
       from pg_class c left join pg_stat_user_tables s on s.relid = c.oid
      where c.oid = to_regclass(?)`,
    [table],
  );
  return Number(rows[0]?.estimate ?? 0);
}
