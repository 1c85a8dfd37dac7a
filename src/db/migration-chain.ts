import {readdirSync} from 'node:fs';

import type {Knex} from 'knex';

import type {Dialect} from './dialect.js';
import {migrationKit, type MigrationKit} from './migration-kit.js';
import {packageFolder} from './package-folder.js';

/** One dialect's side of a Prefect migration, as a file in migrations/ declares it. */
export interface DialectRevision {
  revision: string;
  /** null only for the baseline (Prefect 2.13.0), where prefectdb's chain starts. */
  downRevision: string | null;
}

/** What a file under migrations/ exports (see migrations/README.md). */
export interface MigrationFile {
  migration: {
    release: string;
    description: string;
    sqlite?: DialectRevision;
    postgres?: DialectRevision;
    /** Tables whose rows the step copies or changes, for the plan's row counts. */
    touches?: Partial<Record<Dialect, string[]>>;
    /** What down() removes, named before a downgrade. */
    drops?: Partial<Record<Dialect, {tables?: string[]; columns?: string[]}>>;
  };
  up(knex: Knex, kit: MigrationKit): Promise<void>;
  down(knex: Knex, kit: MigrationKit): Promise<void>;
  /** Why down() would fail on the rows present (Prefect's script would); empty when it can run. */
  downBlockers?(knex: Knex, kit: MigrationKit): Promise<string[]>;
}

export interface ChainStep {
  /** The file's name without .js. */
  name: string;
  release: string;
  description: string;
  revision: string;
  downRevision: string | null;
  touches: string[];
  drops: {tables: string[]; columns: string[]};
  file: MigrationFile;
}

const CHAIN_FILE = /^\d{2}_.+\.js$/;

/**
 * Every step of `dialect`'s chain, oldest first, from the 2.13.0 baseline to the head.
 * `allowGaps` is for judging single steps while the chain is still being written.
 */
export async function loadChain(dialect: Dialect, options: {allowGaps?: boolean} = {}): Promise<ChainStep[]> {
  const folder = packageFolder('migrations/');
  const names = readdirSync(folder)
    .filter((file) => CHAIN_FILE.test(file))
    .sort();
  const steps: ChainStep[] = [];
  for (const fileName of names) {
    const file = (await import(new URL(fileName, folder).href)) as MigrationFile;
    const side = file.migration[dialect];
    if (!side) continue;
    steps.push({
      name: fileName.slice(0, -'.js'.length),
      release: file.migration.release,
      description: file.migration.description,
      revision: side.revision,
      downRevision: side.downRevision,
      touches: file.migration.touches?.[dialect] ?? [],
      drops: {tables: file.migration.drops?.[dialect]?.tables ?? [], columns: file.migration.drops?.[dialect]?.columns ?? []},
      file,
    });
  }
  return options.allowGaps ? steps : orderByLinks(steps, dialect);
}

/** File order must agree with Prefect's down_revision links: one line, no gaps, no branches. */
function orderByLinks(steps: ChainStep[], dialect: Dialect): ChainStep[] {
  for (const [i, step] of steps.entries()) {
    const expected = i === 0 ? null : steps[i - 1].revision;
    if (step.downRevision !== expected) {
      throw new Error(`migrations/${step.name}: its ${dialect} down revision is ${step.downRevision}, but the file before it ends at ${expected}`);
    }
  }
  return steps;
}

export type Direction = 'up' | 'down';

const SQLITE_CACHE_KIB = 32 * 1024;

/**
 * Runs one step and moves alembic_version with it, in one transaction, so the database is
 * at a clean revision whatever happens. On SQLite foreign keys go off around it (the pragma
 * is ignored inside a transaction), as Prefect's migration environment does; the knex must
 * hold a single connection. No statement timeout applies (PostgreSQL).
 */
export async function applyStep(knex: Knex, dialect: Dialect, step: ChainStep, direction: Direction): Promise<void> {
  if (dialect === 'sqlite') {
    await knex.raw('PRAGMA foreign_keys = OFF');
    // Table rebuilds and index builds of big tables want more than SQLite's 2 MiB page cache;
    // 32 MiB keeps a 50,000-run upgrade's peak memory near 150 MB.
    await knex.raw(`PRAGMA cache_size = -${SQLITE_CACHE_KIB}`);
  }
  try {
    await knex.transaction(async (trx) => {
      // A role's or database's statement_timeout would cut a long rebuild short half-way.
      if (dialect === 'postgres') await trx.raw('SET LOCAL statement_timeout = 0');
      await (direction === 'up' ? step.file.up(trx, migrationKit) : step.file.down(trx, migrationKit));
      await stampRevision(trx, direction === 'up' ? step.revision : step.downRevision);
    });
  } finally {
    if (dialect === 'sqlite') await knex.raw('PRAGMA foreign_keys = ON');
  }
}

async function stampRevision(trx: Knex.Transaction, revision: string | null): Promise<void> {
  if (revision === null) return; // the baseline's down() drops everything, alembic_version included
  const updated = await trx('alembic_version').update({version_num: revision});
  if (updated === 0) await trx('alembic_version').insert({version_num: revision});
}
