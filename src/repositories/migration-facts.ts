import type {Knex} from 'knex';

import type {SchemaInfo} from '../db/schema-info.js';

/**
 * What a migration plan reads from the database before anything runs: how many rows the
 * steps will copy or change, and how many a downgrade will lose. Counts are exact; a table
 * or column the database does not have (yet) counts 0.
 */
export class MigrationFacts {
  private readonly tableCounts = new Map<string, number>();

  constructor(
    private readonly knex: Knex,
    private readonly schema: SchemaInfo,
  ) {}

  async tableRows(table: string): Promise<number> {
    if (!this.schema.hasTable(table)) return 0;
    let count = this.tableCounts.get(table);
    if (count === undefined) {
      const [row] = await this.knex(table).count({count: '*'});
      count = Number(row.count);
      this.tableCounts.set(table, count);
    }
    return count;
  }

  /** Rows holding a value in `table.column`: what dropping the column loses. */
  async columnValues(table: string, column: string): Promise<number> {
    if (!this.schema.hasColumn(table, column)) return 0;
    const [row] = await this.knex(table).whereNotNull(column).count({count: '*'});
    return Number(row.count);
  }
}

/** A consistent copy of a live SQLite database in a new file (the file must not exist). */
export async function sqliteBackupInto(knex: Knex, path: string): Promise<void> {
  await knex.raw('VACUUM INTO ?', [path]);
}

class RolledBack extends Error {}

/**
 * Runs `use` in a transaction whose search_path starts with a new, empty schema, then rolls
 * everything back: the live database keeps no trace. The live schema stays on the path for
 * extensions installed there (pg_trgm's operator classes).
 */
export async function inScratchSchema<T>(knex: Knex, use: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const scratch = `prefectdb_scratch_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let result: T | undefined;
  try {
    await knex.transaction(async (trx) => {
      const {rows} = await trx.raw('select current_schema() as schema');
      await trx.raw('CREATE SCHEMA ??', [scratch]);
      await trx.raw('SELECT set_config(?, ?, true)', ['search_path', `${scratch}, "${String(rows[0].schema).replaceAll('"', '""')}"`]);
      result = await use(trx);
      throw new RolledBack();
    });
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
  }
  return result as T;
}
