import type {Knex} from 'knex';

/**
 * Why this PostgreSQL session cannot write Prefect's tables, or undefined when it can: a
 * standby, a session read-only by default, or a role without INSERT, UPDATE and DELETE on
 * every table of its schema (a write command may touch any of them, and must not find out
 * halfway through a batch), or, in an empty schema, without the right to create tables.
 */
export async function postgresWriteBlocker(knex: Knex): Promise<string | undefined> {
  const {rows} = await knex.raw(
    `select pg_is_in_recovery() as standby,
            current_setting('transaction_read_only') as read_only,
            current_user as role,
            has_schema_privilege(current_schema(), 'CREATE') as may_create,
            count(c.oid)::int as tables,
            count(c.oid) filter (where not (has_table_privilege(c.oid, 'INSERT')
                                        and has_table_privilege(c.oid, 'UPDATE')
                                        and has_table_privilege(c.oid, 'DELETE')))::int as denied,
            min(c.relname) filter (where not (has_table_privilege(c.oid, 'INSERT')
                                          and has_table_privilege(c.oid, 'UPDATE')
                                          and has_table_privilege(c.oid, 'DELETE'))) as first_denied
       from (select 1) one
       left join pg_class c on c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')`,
  );
  const facts = rows[0] as {standby: boolean; read_only: string; role: string; may_create: boolean; tables: number; denied: number; first_denied: string | null};
  if (facts.standby) return 'the server is a read-only standby (connect to the primary)';
  if (facts.read_only === 'on') return 'the session is read-only (default_transaction_read_only is on for this role or database)';
  if (facts.tables === 0 && !facts.may_create) {
    return `the role ${facts.role} may not create tables in the schema (use a role that may, or GRANT CREATE ON SCHEMA)`;
  }
  if (facts.denied > 0) {
    const which = facts.denied === facts.tables ? 'any table' : `${facts.denied} of its ${facts.tables} tables, such as ${facts.first_denied}`;
    return `the role ${facts.role} may not insert, update or delete in ${which} (use a role with those privileges, or GRANT them)`;
  }
  return undefined;
}
