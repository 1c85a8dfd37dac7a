import type {Knex} from 'knex';

export interface SqliteRebuild {
  table: string;
  /**
   * The table's CREATE TABLE text exactly as Prefect's rebuild leaves it in sqlite_master
   * (after alembic's rename it reads `CREATE TABLE "name" (…)`).
   */
  createSql: string;
  /** New column → SQL expression over the old table's columns; columns not named are not copied. */
  copy: Record<string, string>;
  /** CREATE INDEX statements run after the rename, as alembic re-creates them. */
  indexes?: string[];
}

/**
 * Alembic's batch mode on SQLite: create `_alembic_tmp_<table>`, copy the rows across, drop
 * the old table, rename the new one into place, re-create indexes. Renaming is what turns
 * the stored text into `CREATE TABLE "<table>"`, so the same steps leave the same text.
 * Foreign keys must be off (the migration runner does that outside the transaction), or the
 * drop would cascade into child tables.
 */
export async function rebuildSqliteTable(knex: Knex, rebuild: SqliteRebuild): Promise<void> {
  const temporary = `_alembic_tmp_${rebuild.table}`;
  const header = /^CREATE TABLE\s+("?)(\w+)\1\s*\(/i.exec(rebuild.createSql);
  if (!header || header[2] !== rebuild.table) throw new Error(`rebuild of ${rebuild.table}: createSql must start with CREATE TABLE "${rebuild.table}" (`);
  await knex.raw(`CREATE TABLE ${temporary} (${rebuild.createSql.slice(header[0].length)}`);
  const columns = Object.keys(rebuild.copy);
  if (columns.length > 0) {
    const targets = columns.map((column) => `"${column}"`).join(', ');
    const sources = columns.map((column) => rebuild.copy[column]).join(', ');
    // In key order, so the new table's primary-key index grows at its end instead of by
    // random inserts (several times faster on a big table; rows and schema are the same).
    const order = columns.includes('id') ? ' ORDER BY "id"' : '';
    await knex.raw(`INSERT INTO ${temporary} (${targets}) SELECT ${sources} FROM "${rebuild.table}"${order}`);
  }
  await knex.raw(`DROP TABLE "${rebuild.table}"`);
  await knex.raw(`ALTER TABLE ${temporary} RENAME TO "${rebuild.table}"`);
  for (const index of rebuild.indexes ?? []) await knex.raw(index);
}
