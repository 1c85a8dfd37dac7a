import {readdirSync} from 'node:fs';

import type {Knex} from 'knex';

import type {Dialect} from './dialect.js';
import {migrationKit} from './migration-kit.js';
import {packageFolder} from './package-folder.js';
import {PREFECTDB_MIGRATIONS_TABLE} from './schema-info.js';

export {PREFECTDB_MIGRATIONS_TABLE};

// db init's shortcut to the head schema; Prefect's chain itself is migrations/*.js (migration-chain.ts).
const MIGRATIONS_DIR = packageFolder('migrations/head/');

interface MigrationModule {
  up(knex: Knex, kit: typeof migrationKit): Promise<void>;
  down(knex: Knex, kit: typeof migrationKit): Promise<void>;
}

/**
 * Names carry no file extension, so what Knex records never depends on how the code runs,
 * and the folder is found relative to this module, not to the working directory.
 */
const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () =>
    readdirSync(MIGRATIONS_DIR)
      .filter((file) => file.endsWith('.js'))
      .map((file) => file.slice(0, -'.js'.length))
      .sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const module = (await import(new URL(`${name}.js`, MIGRATIONS_DIR).href)) as MigrationModule;
    return {up: (knex) => module.up(knex, migrationKit), down: (knex) => module.down(knex, migrationKit)};
  },
};

// Its own bookkeeping table, so it never collides with Prefect's alembic_version.
const MIGRATOR_CONFIG: Knex.MigratorConfig = {migrationSource, tableName: PREFECTDB_MIGRATIONS_TABLE};

/**
 * Brings a database prefectdb created (or an empty one) to Prefect's head schema.
 * Returns how many migrations ran: 0 when it was already at head.
 */
export async function migrateToHead(knex: Knex, dialect: Dialect): Promise<number> {
  return dialect === 'sqlite' ? migrateSqlite(knex) : runPending(knex);
}

async function runPending(knex: Knex): Promise<number> {
  const [, applied] = (await knex.migrate.latest(MIGRATOR_CONFIG)) as [number, string[]];
  return applied.length;
}

/**
 * Foreign keys go off while migrations run: Knex rebuilds a SQLite table to alter it, and
 * with foreign keys on, dropping the old copy would cascade-delete child rows. The pragma
 * is ignored inside a transaction, so it is set on the (single) pooled connection before
 * Knex opens one; afterwards foreign_key_check proves nothing was left dangling.
 */
async function migrateSqlite(knex: Knex): Promise<number> {
  await knex.raw('PRAGMA foreign_keys = OFF');
  let applied: number;
  try {
    applied = await runPending(knex);
  } finally {
    await knex.raw('PRAGMA foreign_keys = ON');
  }
  const violations: unknown[] = await knex.raw('PRAGMA foreign_key_check');
  if (violations.length > 0) {
    throw new Error(`migrating left ${violations.length} foreign key violation(s): ${JSON.stringify(violations.slice(0, 5))}`);
  }
  return applied;
}
