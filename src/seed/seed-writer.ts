import type {Knex} from 'knex';

import type {Codec} from '../db/codecs/index.js';
import type {Database} from '../db/connection.js';
import type {Dialect} from '../db/dialect.js';
import {findColumn} from '../schema/head.js';
import type {Row} from './catalogue.js';

// Bound parameters per statement: SQLite's SQLITE_MAX_VARIABLE_NUMBER (32766 since 3.32)
// and PostgreSQL's wire-protocol limit (65535).
const MAX_PARAMETERS: Record<Dialect, number> = {sqlite: 32_766, postgres: 65_535};
// Past a few hundred rows a longer statement only costs more to build and compile.
const MAX_ROWS_PER_STATEMENT = 500;

/** A column written before the row it points at exists (a circular foreign key). */
export interface ForwardLinks {
  table: string;
  column: string;
  pairs: Array<[id: string, target: string]>;
}

/**
 * Writes generated rows with multi-row INSERTs, every value encoded by the dialect's codec
 * per the schema catalogue's column type. Counts what it wrote, per table.
 *
 * Circular foreign keys (flow_run.state_id ↔ flow_run_state.flow_run_id, work_pool ↔
 * work_queue): SQLite defers the check to COMMIT (PRAGMA defer_foreign_keys), so rows go
 * in complete; PostgreSQL's constraints are not deferrable, so the column is inserted NULL
 * and set by one UPDATE … FROM (VALUES …) per batch once its targets exist, as Prefect's
 * own scheduler does (_insert_scheduled_flow_runs).
 */
export class SeedWriter {
  readonly counts = new Map<string, number>();
  private readonly encoders = new Map<string, Array<(value: unknown) => unknown>>();
  private readonly statements = new Map<string, string>();
  private readonly sqliteStatements = new Map<string, SqliteStatement>();
  private readonly postgresStatementNames = new Map<string, string>();

  constructor(private readonly db: Database) {}

  get dialect(): Dialect {
    return this.db.dialect;
  }

  get totalRows(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  /** One atomic batch: BEGIN IMMEDIATE on SQLite (see connection.ts). */
  async transaction(work: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
    await this.db.knex.transaction(async (trx) => {
      if (this.dialect === 'sqlite') await trx.raw('PRAGMA defer_foreign_keys = ON');
      await work(trx);
    });
  }

  /**
   * Inserts rows that all have the same keys. A `forwardKey` column may point at rows not
   * written yet; call link() with the result after writing them.
   */
  async insert(trx: Knex.Transaction, table: string, rows: Row[], forwardKey?: string): Promise<ForwardLinks | undefined> {
    if (rows.length === 0) return undefined;
    const columns = Object.keys(rows[0]);
    let links: ForwardLinks | undefined;
    if (forwardKey && this.dialect === 'postgres') {
      links = {table, column: forwardKey, pairs: []};
      for (const row of rows) {
        if (row[forwardKey] !== null) links.pairs.push([row.id as string, row[forwardKey] as string]);
      }
      rows = rows.map((row) => ({...row, [forwardKey]: null}));
    }
    await this.insertEncoded(trx, table, columns, rows, '');
    return links;
  }

  /**
   * Inserts rows, or updates the row with the same `conflictColumn` value when the new one
   * is at least as recent by `updated` (artifact_collection: the latest artifact per key).
   * Columns in `keep` (id, created) stay as first written. Not counted: the caller knows
   * how many distinct rows it made.
   */
  async upsertNewer(trx: Knex.Transaction, table: string, rows: Row[], conflictColumn: string, keep: readonly string[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]);
    const updates = columns.filter((c) => c !== conflictColumn && !keep.includes(c)).map((c) => `${quote(c)} = excluded.${quote(c)}`);
    const suffix =
      ` on conflict (${quote(conflictColumn)}) do update set ${updates.join(', ')}` +
      ` where excluded."updated" >= ${quote(table)}."updated"`;
    await this.insertEncoded(trx, table, columns, rows, suffix, false);
  }

  async link(trx: Knex.Transaction, links: ForwardLinks | undefined): Promise<void> {
    if (!links || links.pairs.length === 0) return;
    const perStatement = Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS.postgres / 2));
    for (let start = 0; start < links.pairs.length; start += perStatement) {
      const chunk = links.pairs.slice(start, start + perStatement);
      const values = chunk.map((_, i) => `(${this.placeholder(2 * i + 1)}, ${this.placeholder(2 * i + 2)})`).join(', ');
      const sql =
        `update ${quote(links.table)} as t set ${quote(links.column)} = link.target::uuid ` +
        `from (values ${values}) as link(id, target) where t.id = link.id::uuid`;
      await this.execute(trx, sql, chunk.flat());
    }
  }

  private async insertEncoded(trx: Knex.Transaction, table: string, columns: string[], rows: Row[], suffix: string, counted = true): Promise<void> {
    const encode = this.encodersFor(table, columns);
    const perStatement = Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS[this.dialect] / columns.length));
    for (let start = 0; start < rows.length; start += perStatement) {
      const end = Math.min(start + perStatement, rows.length);
      const bindings: unknown[] = [];
      for (let r = start; r < end; r++) {
        const row = rows[r];
        for (let i = 0; i < columns.length; i++) bindings.push(encode[i](row[columns[i]]));
      }
      await this.execute(trx, this.insertSql(table, columns, end - start, suffix), bindings);
    }
    if (counted) this.counts.set(table, (this.counts.get(table) ?? 0) + rows.length);
  }

  /**
   * Runs a statement on the batch transaction's own connection, below Knex's query
   * builder: the same few statement shapes repeat thousands of times, so they are
   * prepared once (better-sqlite3 statements; named PostgreSQL prepared statements), and
   * Knex's per-call binding rewrite would cost more than the insert itself.
   */
  private async execute(trx: Knex.Transaction, sql: string, bindings: unknown[]): Promise<void> {
    const connection = await (trx.client as unknown as {acquireConnection(): Promise<unknown>}).acquireConnection();
    if (this.dialect === 'sqlite') {
      const sqlite = connection as SqliteConnection;
      let statement = this.sqliteStatements.get(sql);
      if (!statement || statement.database !== sqlite) {
        statement = sqlite.prepare(sql);
        this.sqliteStatements.set(sql, statement);
      }
      statement.run(bindings);
    } else {
      let name = this.postgresStatementNames.get(sql);
      if (!name) this.postgresStatementNames.set(sql, (name = `prefectdb_seed_${this.postgresStatementNames.size + 1}`));
      await (connection as PostgresConnection).query({name, text: sql, values: bindings});
    }
  }

  /** INSERT text with the dialect's placeholders (? for SQLite, $n for PostgreSQL). */
  private insertSql(table: string, columns: string[], rowCount: number, suffix: string): string {
    const key = `${table}\0${columns.join(',')}\0${rowCount}\0${suffix}`;
    let sql = this.statements.get(key);
    if (!sql) {
      const tuples = Array.from({length: rowCount}, (_, r) => `(${columns.map((_, c) => this.placeholder(r * columns.length + c + 1)).join(', ')})`);
      sql = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values ${tuples.join(', ')}${suffix}`;
      this.statements.set(key, sql);
    }
    return sql;
  }

  private placeholder(position: number): string {
    return this.dialect === 'sqlite' ? '?' : `$${position}`;
  }

  private encodersFor(table: string, columns: string[]): Array<(value: unknown) => unknown> {
    const key = `${table}\0${columns.join(',')}`;
    let encoders = this.encoders.get(key);
    if (!encoders) {
      const codec: Codec = this.db.codec;
      encoders = columns.map((column) => {
        const type = findColumn(table, column)?.type;
        if (!type) throw new Error(`the schema catalogue has no column ${table}.${column}`);
        return (value: unknown) => codec.encode(type, value);
      });
      this.encoders.set(key, encoders);
    }
    return encoders;
  }
}

/** The parts of the drivers' connection objects the writer uses. */
interface SqliteStatement {
  readonly database: unknown;
  run(bindings: unknown[]): unknown;
}

interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

interface PostgresConnection {
  query(config: {name: string; text: string; values: unknown[]}): Promise<unknown>;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
