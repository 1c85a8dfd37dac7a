import type BetterSqlite3 from 'better-sqlite3';

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

// SQLITE_MAX_VARIABLE_NUMBER is 32766; past a few hundred rows a statement only costs more to compile.
const MAX_PARAMETERS = 32_766;
const MAX_ROWS_PER_STATEMENT = 500;
// Rows per transaction: every commit rewrites the index pages it touched into the WAL.
const ROWS_PER_TRANSACTION = 25_000;

/**
 * SQLite through the raw better-sqlite3 handle of the (single) pooled connection: prepared
 * multi-row INSERTs in large BEGIN IMMEDIATE transactions (each page a savepoint inside
 * one, so a refused page is undone alone), pages read with `.raw()` arrays. Whatever is
 * pending commits before any other change and when the endpoint is released.
 */
export class SqliteCopyEndpoint implements CopyEndpoint {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private pendingRows = 0;

  private constructor(
    private readonly database: Database,
    private readonly handle: BetterSqlite3.Database,
  ) {}

  static async open(database: Database, role: 'source' | 'target'): Promise<SqliteCopyEndpoint> {
    const client = database.knex.client as {acquireConnection(): Promise<BetterSqlite3.Database>};
    const handle = await client.acquireConnection();
    // Index pages of a bulk load stay cached (16 MB, well within the copy's memory budget).
    if (role === 'target') handle.pragma('cache_size = -16384');
    return new SqliteCopyEndpoint(database, handle);
  }

  async release(): Promise<void> {
    this.commitPending();
    const client = this.database.knex.client as {releaseConnection(conn: unknown): Promise<void>};
    await client.releaseConnection(this.handle);
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.handle.prepare(sql)));
    return statement;
  }

  async tables(): Promise<Map<string, LiveColumn[]>> {
    const rows = this.statement(
      `select m.name as table_name, p.name as column_name, p.type as declared_type, p."notnull" as not_null
         from sqlite_master m join pragma_table_info(m.name) p
        where m.type = 'table' and m.name not like 'sqlite\\_%' escape '\\'
        order by m.name, p.cid`,
    ).all() as Array<{table_name: string; column_name: string; declared_type: string; not_null: number}>;
    const tables = new Map<string, LiveColumn[]>();
    for (const row of rows) {
      if (!tables.has(row.table_name)) tables.set(row.table_name, []);
      tables.get(row.table_name)!.push({name: row.column_name, declaredType: row.declared_type.toUpperCase(), notNull: row.not_null === 1});
    }
    return tables;
  }

  async foreignKeys(): Promise<LiveForeignKey[]> {
    const rows = this.statement(
      `select m.name as table_name, f."from" as column_name, f."table" as referenced, f.on_delete as on_delete
         from sqlite_master m join pragma_foreign_key_list(m.name) f
        where m.type = 'table'
        order by m.name, f.id`,
    ).all() as Array<{table_name: string; column_name: string; referenced: string; on_delete: string}>;
    return rows.map((row) => ({table: row.table_name, column: row.column_name, references: row.referenced, cascades: row.on_delete === 'CASCADE'}));
  }

  async count(table: string): Promise<number> {
    return this.statement(`select count(*) from ${quoteIdent(table)}`).pluck().get() as number;
  }

  async hasRows(table: string): Promise<boolean> {
    return this.statement(`select exists (select 1 from ${quoteIdent(table)})`).pluck().get() === 1;
  }

  async maxKey(table: string, key: string): Promise<string | null> {
    return (this.statement(`select max(${quoteIdent(key)}) from ${quoteIdent(table)}`).pluck().get() as string | null) ?? null;
  }

  async minKey(table: string, key: string): Promise<string | null> {
    return (this.statement(`select min(${quoteIdent(key)}) from ${quoteIdent(table)}`).pluck().get() as string | null) ?? null;
  }

  async readPage(table: string, columns: readonly ColumnRead[], key: string, after: string | null, limit: number): Promise<RawRow[]> {
    const select = `select ${columns.map((c) => quoteIdent(c.name)).join(', ')} from ${quoteIdent(table)}`;
    const order = `order by ${quoteIdent(key)} limit ?`;
    // Integers as bigints: one past 2^53 (a JSON scalar Python wrote, a large count) copies exactly.
    if (after === null) return this.statement(`${select} ${order}`).raw(true).safeIntegers(true).all(limit) as RawRow[];
    return this.statement(`${select} where ${quoteIdent(key)} > ? ${order}`).raw(true).safeIntegers(true).all(after, limit) as RawRow[];
  }

  async readPointers(table: string, key: string, column: string, after: string | null, limit: number): Promise<Array<[string, unknown]>> {
    const select = `select ${quoteIdent(key)}, ${quoteIdent(column)} from ${quoteIdent(table)} where ${quoteIdent(column)} is not null`;
    const order = `order by ${quoteIdent(key)} limit ?`;
    if (after === null) return this.statement(`${select} ${order}`).raw(true).all(limit) as Array<[string, unknown]>;
    return this.statement(`${select} and ${quoteIdent(key)} > ? ${order}`).raw(true).all(after, limit) as Array<[string, unknown]>;
  }

  async insertRows(table: string, columns: readonly string[], key: string, rows: readonly RawRow[], skipExisting: boolean): Promise<InsertOutcome> {
    if (!this.handle.inTransaction) this.handle.exec('BEGIN IMMEDIATE');
    const outcome = this.insertPage(table, columns, key, rows, skipExisting);
    this.pendingRows += rows.length;
    if (this.pendingRows >= ROWS_PER_TRANSACTION) this.commitPending();
    return outcome;
  }

  private commitPending(): void {
    if (this.handle.inTransaction) this.handle.exec('COMMIT');
    this.pendingRows = 0;
  }

  /** Inside the open transaction, better-sqlite3's transaction() is a savepoint. */
  private insertPage(table: string, columns: readonly string[], key: string, rows: readonly RawRow[], skipExisting: boolean): InsertOutcome {
    const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / columns.length)));
    const keyIndex = columns.indexOf(key);
    const insertAll = this.handle.transaction(() => {
      let copied = 0;
      for (let start = 0; start < rows.length; start += perStatement) {
        const batch = rows.slice(start, start + perStatement);
        copied += this.insertStatement(table, columns, key, batch.length, skipExisting).run(batch.flat()).changes;
      }
      return copied;
    });
    try {
      const copied = insertAll.immediate();
      return {copied, skipped: rows.length - copied, rejected: []};
    } catch (error) {
      if (!isConstraintError(error)) throw error;
    }
    // Something in the batch was refused: insert row by row to name the rows and keep the rest.
    const rejected: RejectedRow[] = [];
    const oneByOne = this.handle.transaction(() => {
      let copied = 0;
      const statement = this.insertStatement(table, columns, key, 1, skipExisting);
      for (const row of rows) {
        try {
          copied += statement.run(row).changes;
        } catch (error) {
          if (!isConstraintError(error)) throw error;
          rejected.push({table, id: String(row[keyIndex]), reason: rejectionReason(error)});
        }
      }
      return copied;
    });
    const copied = oneByOne.immediate();
    return {copied, skipped: rows.length - copied - rejected.length, rejected};
  }

  private insertStatement(table: string, columns: readonly string[], key: string, rowCount: number, skipExisting: boolean): BetterSqlite3.Statement {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const conflict = skipExisting ? ` on conflict (${quoteIdent(key)}) do nothing` : '';
    return this.statement(
      `insert into ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) values ${Array(rowCount).fill(tuple).join(', ')}${conflict}`,
    );
  }

  async fillPointers(table: string, key: string, column: string, pairs: ReadonlyArray<[string, unknown]>): Promise<RejectedRow[]> {
    this.commitPending();
    const statement = this.statement(
      `update ${quoteIdent(table)} set ${quoteIdent(column)} = ? where ${quoteIdent(key)} = ? and ${quoteIdent(column)} is null`,
    );
    const rejected: RejectedRow[] = [];
    this.handle
      .transaction(() => {
        for (const [id, value] of pairs) {
          try {
            statement.run(value, id);
          } catch (error) {
            if (!isConstraintError(error)) throw error;
            rejected.push({table, id, reason: `${column}: ${rejectionReason(error)}`});
          }
        }
      })
      .immediate();
    return rejected;
  }

  /** Foreign keys stay on while SQLite loads, so nothing can have slipped in. */
  async foreignKeyViolations(): Promise<RejectedRow[]> {
    return [];
  }

  async deleteRows(): Promise<void> {}

  async deferIndexes(tables: readonly string[]): Promise<void> {
    this.commitPending();
    const wanted = new Set(tables);
    const indexes = (this.statement(`select name, tbl_name, sql from sqlite_master where type = 'index' and sql is not null`).all() as Array<{name: string; tbl_name: string; sql: string}>).filter(
      (index) => wanted.has(index.tbl_name) && !/^create\s+unique/i.test(index.sql),
    );
    this.handle
      .transaction(() => {
        const keep = this.handle.prepare(`insert into ${COPY_BOOKKEEPING_TABLE} (name, value) values (?, ?) on conflict (name) do nothing`);
        for (const index of indexes) {
          keep.run(`index:${index.name}`, index.sql);
          this.handle.prepare(`drop index ${quoteIdent(index.name)}`).run();
        }
      })
      .immediate();
  }

  async restoreIndexes(onIndex?: (done: number, total: number) => void): Promise<void> {
    this.commitPending();
    const kept = this.handle.prepare(`select name, value from ${COPY_BOOKKEEPING_TABLE} where name like 'index:%' order by name`).all() as Array<{name: string; value: string}>;
    for (const [done, {name, value}] of kept.entries()) {
      onIndex?.(done, kept.length);
      this.handle
        .transaction(() => {
          const exists = this.handle.prepare(`select count(*) from sqlite_master where type = 'index' and name = ?`).pluck().get(name.slice('index:'.length));
          if (!exists) this.handle.prepare(value).run();
          this.handle.prepare(`delete from ${COPY_BOOKKEEPING_TABLE} where name = ?`).run(name);
        })
        .immediate();
    }
  }

  async replaceRevision(revision: string): Promise<void> {
    this.commitPending();
    this.handle
      .transaction(() => {
        this.statement('delete from alembic_version').run();
        this.statement('insert into alembic_version (version_num) values (?)').run(revision);
      })
      .immediate();
  }

  /**
   * Left out on purpose: Prefect's SQLite files carry no planner statistics, and both
   * Prefect's queries and prefectdb's are planned for that; sqlite_stat1 would change them.
   */
  async analyze(): Promise<void> {}

  async readBookkeeping(): Promise<string | null> {
    const exists = this.statement(`select count(*) from sqlite_master where type = 'table' and name = ?`).pluck().get(COPY_BOOKKEEPING_TABLE);
    if (!exists) return null;
    return (this.handle.prepare(`select value from ${COPY_BOOKKEEPING_TABLE} where name = 'source'`).pluck().get() as string | undefined) ?? null;
  }

  async writeBookkeeping(value: string): Promise<void> {
    this.commitPending();
    this.handle
      .transaction(() => {
        this.handle.prepare(`create table if not exists ${COPY_BOOKKEEPING_TABLE} (name varchar(128) primary key, value text not null)`).run();
        this.handle.prepare(`insert into ${COPY_BOOKKEEPING_TABLE} (name, value) values ('source', ?) on conflict (name) do update set value = excluded.value`).run(value);
      })
      .immediate();
  }

  async dropBookkeeping(): Promise<void> {
    this.commitPending();
    this.handle.prepare(`drop table if exists ${COPY_BOOKKEEPING_TABLE}`).run();
  }
}

function isConstraintError(error: unknown): boolean {
  const code = String((error as {code?: string}).code ?? '');
  return code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH';
}
