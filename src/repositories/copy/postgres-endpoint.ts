import {Readable} from 'node:stream';
import {pipeline} from 'node:stream/promises';

import type pg from 'pg';
import {from as copyFrom} from 'pg-copy-streams';

import type {Database} from '../../db/connection.js';
import {
  COPY_BOOKKEEPING_TABLE,
  type ColumnRead,
  type CopyEndpoint,
  type InsertOutcome,
  type LiveColumn,
  type LiveForeignKey,
  quoteIdent,
  type RawRow,
  type RejectedRow,
} from './endpoint.js';
import {rejectionReason} from './rejection.js';
import {copyTextLine} from './copy-text.js';

/**
 * PostgreSQL through one raw client of the pool: `COPY … FROM STDIN` (pg-copy-streams) in
 * one transaction per call, pages read as arrays. The session does not wait for the WAL
 * flush at commit: a crash may lose the last batches, never consistency, and a resumed
 * copy redoes them. As superuser, the foreign-key triggers are skipped while a page loads
 * (session_replication_role = replica, what pg_restore does): parents are copied before
 * their children anyway, and foreignKeyViolations() checks every key once at the end.
 */
export class PostgresCopyEndpoint implements CopyEndpoint {
  readonly dialect = 'postgres' as const;

  private constructor(
    private readonly database: Database,
    private readonly client: pg.Client,
    private readonly skipsForeignKeyTriggers: boolean,
  ) {}

  static async open(database: Database, role: 'source' | 'target'): Promise<PostgresCopyEndpoint> {
    const pool = database.knex.client as {acquireConnection(): Promise<pg.Client>};
    const client = await pool.acquireConnection();
    if (role === 'source') return new PostgresCopyEndpoint(database, client, false);
    await client.query('SET synchronous_commit = off');
    const {rows} = await client.query<{superuser: boolean}>(`select rolsuper as superuser from pg_roles where rolname = current_user`);
    return new PostgresCopyEndpoint(database, client, Boolean(rows[0]?.superuser));
  }

  async release(): Promise<void> {
    await this.client.query('RESET synchronous_commit').catch(() => undefined);
    const pool = this.database.knex.client as {releaseConnection(conn: unknown): Promise<void>};
    await pool.releaseConnection(this.client);
  }

  async tables(): Promise<Map<string, LiveColumn[]>> {
    const {rows} = await this.client.query<{table_name: string; column_name: string; data_type: string; is_nullable: string}>(
      `select c.table_name, c.column_name, c.data_type, c.is_nullable
         from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
        order by c.table_name, c.ordinal_position`,
    );
    const tables = new Map<string, LiveColumn[]>();
    for (const row of rows) {
      if (!tables.has(row.table_name)) tables.set(row.table_name, []);
      tables.get(row.table_name)!.push({name: row.column_name, declaredType: row.data_type, notNull: row.is_nullable === 'NO'});
    }
    return tables;
  }

  async foreignKeys(): Promise<LiveForeignKey[]> {
    const {rows} = await this.client.query<{table_name: string; column_name: string; referenced: string; on_delete: string}>(
      `select cl.relname as table_name, a.attname as column_name, rcl.relname as referenced, c.confdeltype as on_delete
         from pg_constraint c
         join pg_class cl on cl.oid = c.conrelid
         join pg_namespace n on n.oid = cl.relnamespace
         join pg_class rcl on rcl.oid = c.confrelid
         join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
        where c.contype = 'f' and n.nspname = current_schema()
        order by cl.relname, c.conname`,
    );
    return rows.map((row) => ({table: row.table_name, column: row.column_name, references: row.referenced, cascades: row.on_delete === 'c'}));
  }

  async count(table: string): Promise<number> {
    const {rows} = await this.client.query<{count: number}>(`select count(*) as count from ${quoteIdent(table)}`);
    return Number(rows[0].count);
  }

  async hasRows(table: string): Promise<boolean> {
    const {rows} = await this.client.query<{found: boolean}>(`select exists (select 1 from ${quoteIdent(table)}) as found`);
    return rows[0].found;
  }

  async maxKey(table: string, key: string): Promise<string | null> {
    return this.edgeKey(table, key, 'desc');
  }

  async minKey(table: string, key: string): Promise<string | null> {
    return this.edgeKey(table, key, 'asc');
  }

  /** PostgreSQL before 16 has no min/max over uuid: the primary key's index gives the ends. */
  private async edgeKey(table: string, key: string, direction: 'asc' | 'desc'): Promise<string | null> {
    const {rows} = await this.client.query(`select ${quoteIdent(key)}::text as key from ${quoteIdent(table)} order by ${quoteIdent(key)} ${direction} limit 1`);
    return rows[0]?.key ?? null;
  }

  async readPage(table: string, columns: readonly ColumnRead[], key: string, after: string | null, limit: number): Promise<RawRow[]> {
    const list = columns.map((c) => (c.json ? `${quoteIdent(c.name)}::text` : quoteIdent(c.name))).join(', ');
    const where = after === null ? '' : `where ${quoteIdent(key)} > $2`;
    const {rows} = await this.client.query<RawRow>({
      text: `select ${list} from ${quoteIdent(table)} ${where} order by ${quoteIdent(key)} limit $1`,
      values: after === null ? [limit] : [limit, after],
      rowMode: 'array',
    });
    return rows;
  }

  async readPointers(table: string, key: string, column: string, after: string | null, limit: number): Promise<Array<[string, unknown]>> {
    const where = `where ${quoteIdent(column)} is not null` + (after === null ? '' : ` and ${quoteIdent(key)} > $2`);
    const {rows} = await this.client.query<[string, unknown]>({
      text: `select ${quoteIdent(key)}, ${quoteIdent(column)} from ${quoteIdent(table)} ${where} order by ${quoteIdent(key)} limit $1`,
      values: after === null ? [limit] : [limit, after],
      rowMode: 'array',
    });
    return rows;
  }

  async insertRows(table: string, columns: readonly string[], key: string, rows: readonly RawRow[], skipExisting: boolean): Promise<InsertOutcome> {
    const columnList = columns.map(quoteIdent).join(', ');
    try {
      const copied = await this.inTransaction(async () => {
        if (!skipExisting) {
          if (this.skipsForeignKeyTriggers) await this.client.query('set local session_replication_role = replica');
          await this.copyIn(`copy ${quoteIdent(table)} (${columnList}) from stdin`, rows);
          return rows.length;
        }
        // COPY has no ON CONFLICT: stage the rows, then insert the ones whose key is new.
        await this.client.query(`create temp table prefectdb_copy_stage (like ${quoteIdent(table)} including defaults) on commit drop`);
        await this.copyIn(`copy prefectdb_copy_stage (${columnList}) from stdin`, rows);
        const result = await this.client.query(
          `insert into ${quoteIdent(table)} (${columnList}) select ${columnList} from prefectdb_copy_stage on conflict (${quoteIdent(key)}) do nothing`,
        );
        return result.rowCount ?? 0;
      });
      return {copied, skipped: rows.length - copied, rejected: []};
    } catch (error) {
      if (!isDataError(error)) throw error;
    }
    return this.insertOneByOne(table, columns, key, rows, skipExisting);
  }

  /** The slow path after a refused batch: each row in its own savepoint, so only the bad ones stay out. */
  private async insertOneByOne(table: string, columns: readonly string[], key: string, rows: readonly RawRow[], skipExisting: boolean): Promise<InsertOutcome> {
    const keyIndex = columns.indexOf(key);
    const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
    const conflict = skipExisting ? ` on conflict (${quoteIdent(key)}) do nothing` : '';
    const sql = `insert into ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) values (${placeholders})${conflict}`;
    const rejected: RejectedRow[] = [];
    const copied = await this.inTransaction(async () => {
      let inserted = 0;
      for (const row of rows) {
        await this.client.query('savepoint prefectdb_row');
        try {
          inserted += (await this.client.query(sql, row as unknown[])).rowCount ?? 0;
          await this.client.query('release savepoint prefectdb_row');
        } catch (error) {
          if (!isDataError(error)) throw error;
          await this.client.query('rollback to savepoint prefectdb_row');
          rejected.push({table, id: String(row[keyIndex]), reason: rejectionReason(error)});
        }
      }
      return inserted;
    });
    return {copied, skipped: rows.length - copied - rejected.length, rejected};
  }

  private async copyIn(sql: string, rows: readonly RawRow[]): Promise<void> {
    let text = '';
    for (const row of rows) text += copyTextLine(row);
    await pipeline(Readable.from([text]), this.client.query(copyFrom(sql)));
  }

  async fillPointers(table: string, key: string, column: string, pairs: ReadonlyArray<[string, unknown]>): Promise<RejectedRow[]> {
    const sql =
      `update ${quoteIdent(table)} t set ${quoteIdent(column)} = v.target from unnest($1::uuid[], $2::uuid[]) as v(id, target) ` +
      `where t.${quoteIdent(key)} = v.id and t.${quoteIdent(column)} is null`;
    try {
      await this.inTransaction(() => this.client.query(sql, [pairs.map((p) => p[0]), pairs.map((p) => p[1])]));
      return [];
    } catch (error) {
      if (!isDataError(error)) throw error;
    }
    const rejected: RejectedRow[] = [];
    await this.inTransaction(async () => {
      for (const [id, value] of pairs) {
        await this.client.query('savepoint prefectdb_row');
        try {
          await this.client.query(sql, [[id], [value]]);
          await this.client.query('release savepoint prefectdb_row');
        } catch (error) {
          if (!isDataError(error)) throw error;
          await this.client.query('rollback to savepoint prefectdb_row');
          rejected.push({table, id, reason: `${column}: ${rejectionReason(error)}`});
        }
      }
    });
    return rejected;
  }

  async foreignKeyViolations(): Promise<RejectedRow[]> {
    if (!this.skipsForeignKeyTriggers) return [];
    const {rows: keys} = await this.client.query<{table_name: string; column_name: string; referenced: string; referenced_column: string}>(
      `select cl.relname as table_name, a.attname as column_name, rcl.relname as referenced, ra.attname as referenced_column
         from pg_constraint c
         join pg_class cl on cl.oid = c.conrelid
         join pg_namespace n on n.oid = cl.relnamespace
         join pg_class rcl on rcl.oid = c.confrelid
         join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
         join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = c.confkey[1]
        where c.contype = 'f' and n.nspname = current_schema()
        order by cl.relname, c.conname`,
    );
    const violations: RejectedRow[] = [];
    for (const fk of keys) {
      const {rows} = await this.client.query<{id: string}>(
        `select child.id::text as id from ${quoteIdent(fk.table_name)} child
          where child.${quoteIdent(fk.column_name)} is not null
            and not exists (select 1 from ${quoteIdent(fk.referenced)} parent where parent.${quoteIdent(fk.referenced_column)} = child.${quoteIdent(fk.column_name)})`,
      );
      for (const {id} of rows) violations.push({table: fk.table_name, id, reason: `foreign key violation (${fk.column_name} points at no ${fk.referenced})`});
    }
    return violations;
  }

  async deleteRows(table: string, key: string, ids: readonly string[]): Promise<void> {
    await this.inTransaction(() => this.client.query(`delete from ${quoteIdent(table)} where ${quoteIdent(key)}::text = any($1::text[])`, [ids]));
  }

  async deferIndexes(tables: readonly string[]): Promise<void> {
    const {rows: indexes} = await this.client.query<{name: string; definition: string}>(
      `select i.relname as name, pg_get_indexdef(ix.indexrelid) as definition
         from pg_index ix
         join pg_class i on i.oid = ix.indexrelid
         join pg_class t on t.oid = ix.indrelid
         join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = current_schema() and t.relname = any($1::text[])
          and not ix.indisunique and not ix.indisprimary
          and not exists (select 1 from pg_constraint c where c.conindid = ix.indexrelid)
        order by i.relname`,
      [tables],
    );
    await this.inTransaction(async () => {
      for (const index of indexes) {
        await this.client.query(`insert into ${COPY_BOOKKEEPING_TABLE} (name, value) values ($1, $2) on conflict (name) do nothing`, [`index:${index.name}`, index.definition]);
        await this.client.query(`drop index ${quoteIdent(index.name)}`);
      }
    });
  }

  async restoreIndexes(onIndex?: (done: number, total: number) => void): Promise<void> {
    const {rows: kept} = await this.client.query<{name: string; value: string}>(`select name, value from ${COPY_BOOKKEEPING_TABLE} where name like 'index:%' order by name`);
    for (const [done, {name, value}] of kept.entries()) {
      onIndex?.(done, kept.length);
      await this.inTransaction(async () => {
        const {rows} = await this.client.query(`select to_regclass($1) is not null as present`, [quoteIdent(name.slice('index:'.length))]);
        if (!rows[0].present) await this.client.query(value);
        await this.client.query(`delete from ${COPY_BOOKKEEPING_TABLE} where name = $1`, [name]);
      });
    }
  }

  async replaceRevision(revision: string): Promise<void> {
    await this.inTransaction(async () => {
      await this.client.query('delete from alembic_version');
      await this.client.query('insert into alembic_version (version_num) values ($1)', [revision]);
    });
  }

  async analyze(): Promise<void> {
    await this.client.query('analyze');
  }

  async readBookkeeping(): Promise<string | null> {
    const {rows} = await this.client.query(`select to_regclass($1) is not null as present`, [COPY_BOOKKEEPING_TABLE]);
    if (!rows[0].present) return null;
    const result = await this.client.query(`select value from ${COPY_BOOKKEEPING_TABLE} where name = 'source'`);
    return result.rows[0]?.value ?? null;
  }

  async writeBookkeeping(value: string): Promise<void> {
    await this.inTransaction(async () => {
      await this.client.query(`create table if not exists ${COPY_BOOKKEEPING_TABLE} (name varchar(128) primary key, value text not null)`);
      await this.client.query(
        `insert into ${COPY_BOOKKEEPING_TABLE} (name, value) values ('source', $1) on conflict (name) do update set value = excluded.value`,
        [value],
      );
    });
  }

  async dropBookkeeping(): Promise<void> {
    await this.client.query(`drop table if exists ${COPY_BOOKKEEPING_TABLE}`);
  }

  private async inTransaction<R>(work: () => Promise<R>): Promise<R> {
    await this.client.query('begin');
    try {
      const result = await work();
      await this.client.query('commit');
      return result;
    } catch (error) {
      await this.client.query('rollback').catch(() => undefined);
      throw error;
    }
  }
}

/** Errors that belong to the rows (constraints, values the types refuse), not to the connection. */
function isDataError(error: unknown): boolean {
  const code = String((error as {code?: string}).code ?? '');
  return code.startsWith('23') || code.startsWith('22');
}
