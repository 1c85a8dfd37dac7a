import type {Knex} from 'knex';

/**
 * Drops `name` if it is an INVALID index: what an interrupted `CREATE INDEX CONCURRENTLY`
 * (Prefect's way of building some indexes) leaves behind. `CREATE INDEX IF NOT EXISTS` would
 * otherwise keep the unusable leftover; Prefect's later index scripts clear it the same way.
 */
export async function dropInvalidPostgresIndex(knex: Knex, name: string): Promise<void> {
  const result = await knex.raw(
    `select 1 from pg_class c
       join pg_index i on i.indexrelid = c.oid
       join pg_namespace n on n.oid = c.relnamespace
      where c.relname = ? and n.nspname = current_schema() and not i.indisvalid`,
    [name],
  );
  if (result.rows.length > 0) await knex.raw('DROP INDEX ??', [name]);
}
