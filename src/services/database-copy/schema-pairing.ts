import type {Dialect} from '../../db/dialect.js';
import {lookupRevision, pairedRevisions} from '../../db/revisions.js';
import {refusedError} from '../../errors.js';
import type {LiveColumn} from '../../repositories/copy/endpoint.js';

/** prefectdb's own tables (Knex's migration records and lock, the copy marker): never copied. */
export function isBookkeepingTable(table: string): boolean {
  return table.startsWith('prefectdb_');
}

export function prefectTables(tables: ReadonlyMap<string, readonly LiveColumn[]>): Map<string, readonly LiveColumn[]> {
  return new Map([...tables].filter(([name]) => !isBookkeepingTable(name)));
}

export interface RevisionSide {
  dialect: Dialect;
  revision: string | null;
}

/**
 * The target's alembic revision for the source's: the same id on the same dialect, the
 * paired migration on the other. A target already stamped with one of the candidates keeps it.
 */
export function targetRevisionFor(source: RevisionSide & {revision: string}, target: RevisionSide): string {
  const candidates = source.dialect === target.dialect ? [source.revision] : pairedRevisions(source.dialect, source.revision, target.dialect);
  if (candidates.length === 0) {
    throw refusedError(
      `prefectdb does not know which ${target.dialect} revision matches ${source.dialect} revision ${source.revision}; copy between two ${source.dialect} databases, or upgrade the source with Prefect first`,
    );
  }
  if (target.revision && candidates.includes(target.revision)) return target.revision;
  if (target.revision) {
    throw refusedError(
      `the target is at revision ${target.revision}, the source at ${source.revision} (${describeRelease(source)}); copy into an empty database or one built by the same Prefect release`,
    );
  }
  return candidates[candidates.length - 1];
}

/**
 * Refuses a target whose tables and columns are not the source's, column by column, with
 * the first differences and the way out.
 */
export function assertSameColumns(
  source: ReadonlyMap<string, readonly LiveColumn[]>,
  target: ReadonlyMap<string, readonly LiveColumn[]>,
  sourceRevision: RevisionSide & {revision: string},
): void {
  const differences: string[] = [];
  for (const [table, columns] of source) {
    const other = target.get(table);
    if (!other) {
      differences.push(`table ${table} is missing`);
      continue;
    }
    const names = new Set(other.map((c) => c.name));
    for (const column of columns) if (!names.has(column.name)) differences.push(`${table}.${column.name} is missing`);
    const sourceNames = new Set(columns.map((c) => c.name));
    for (const column of other) if (!sourceNames.has(column.name)) differences.push(`${table}.${column.name} is not in the source`);
  }
  for (const table of target.keys()) if (!source.has(table)) differences.push(`table ${table} is not in the source`);
  if (differences.length === 0) return;
  const shown = differences.slice(0, 3).join('; ') + (differences.length > 3 ? `; and ${differences.length - 3} more` : '');
  throw refusedError(
    `the target's schema is not the source's (revision ${sourceRevision.revision}, ${describeRelease(sourceRevision)}): ${shown}. ` +
      `Build the target with that Prefect release's server, or upgrade the source to the head with Prefect and copy into an empty database`,
  );
}

export function describeRelease(side: RevisionSide & {revision: string}): string {
  const known = lookupRevision(side.dialect, side.revision);
  return known ? `Prefect ${known.release}` : 'a release prefectdb does not know';
}
