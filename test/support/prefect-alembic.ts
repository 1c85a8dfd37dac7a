import {spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, renameSync} from 'node:fs';
import {join} from 'node:path';

import type {Dialect} from '../../src/db/dialect.js';

/**
 * Prefect's own alembic scripts, run unmodified by shared/tools/prefect_alembic.py: the
 * reference prefectdb's migrations are judged against while they are written and when the
 * fixtures in test/fixtures/migrations/ are made. The test suite never needs it.
 */
export const PREFECT_ALEMBIC = process.env.PREFECT_ALEMBIC ?? '/work/shared/tools/prefect_alembic.py';

export function prefectAlembicAvailable(): boolean {
  return existsSync(PREFECT_ALEMBIC);
}

/** Runs the tool (`upgrade TARGET REV`, `downgrade TARGET REV`, `history --dialect …`) and returns stdout. */
export function prefectAlembic(args: string[]): string {
  const quiet = args[0] === 'upgrade' || args[0] === 'downgrade' ? ['-q'] : [];
  const result = spawnSync('/usr/bin/python3', [PREFECT_ALEMBIC, ...args, ...quiet], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
  if (result.status !== 0) throw new Error(`prefect_alembic ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

export interface ChainLink {
  revision: string;
  downRevision: string | null;
  description: string;
}

/** Prefect's chain for a dialect, oldest first, from `from` (inclusive) to the head. */
export function prefectChain(dialect: Dialect, from: string): ChainLink[] {
  const lines = prefectAlembic(['history', '--dialect', dialect === 'postgres' ? 'postgresql' : 'sqlite']).trim().split('\n').filter((line) => !line.startsWith('#'));
  const links = lines
    .map((line) => /^(\w+) (\w+|-) (.*)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({revision: match[1], downRevision: match[2] === '-' ? null : match[2], description: match[3]}));
  const start = links.findIndex((link) => link.revision === from);
  if (start < 0) throw new Error(`revision ${from} not in Prefect's ${dialect} history`);
  return links.slice(start);
}

/**
 * A SQLite file at `revision` as Prefect's upgrade from an empty database builds it (cached
 * per revision under the cache folder); each call returns a fresh copy the caller may change.
 */
export function referenceSqliteAt(revision: string, cacheDir = '/tmp/prefectdb-reference'): string {
  mkdirSync(cacheDir, {recursive: true});
  const cached = join(cacheDir, `sqlite-${revision}.db`);
  if (!existsSync(cached)) {
    const building = `${cached}.building-${process.pid}`;
    prefectAlembic(['upgrade', building, revision]);
    renameSync(building, cached); // atomic: helpers running side by side never read a half-built file
  }
  const copy = join(cacheDir, `copy-${process.pid}-${Math.random().toString(36).slice(2, 8)}.db`);
  copyFileSync(cached, copy);
  return copy;
}
