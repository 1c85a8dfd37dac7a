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
