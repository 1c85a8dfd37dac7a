import type {LiveColumn, LiveForeignKey} from '../../repositories/copy/endpoint.js';
import {refusedError} from '../../errors.js';

export interface CopyOrder {
  /** Parents before children. */
  tables: string[];
  /** Pointer columns written NULL with their row and filled once every table is in. */
  deferred: LiveForeignKey[];
}

/**
 * The order the target's foreign keys accept. Where tables point at each other (flow_run ⇄
 * flow_run_state, flow_run ⇄ task_run, work_pool ⇄ work_queue), one nullable column of the
 * cycle is deferred; a mere pointer (ON DELETE SET NULL / RESTRICT) is preferred to a
 * column that ties a row to its owner (CASCADE).
 */
export function copyOrder(tables: readonly string[], columns: ReadonlyMap<string, readonly LiveColumn[]>, foreignKeys: readonly LiveForeignKey[]): CopyOrder {
  const remaining = new Set(tables);
  const edges = foreignKeys.filter((fk) => remaining.has(fk.table) && remaining.has(fk.references));
  const deferred: LiveForeignKey[] = [];
  const isNullable = (fk: LiveForeignKey) => !columns.get(fk.table)?.find((c) => c.name === fk.column)?.notNull;
  const active = () => edges.filter((e) => !deferred.includes(e) && e.table !== e.references && remaining.has(e.table) && remaining.has(e.references));
  // A row pointing at its own table: the pointer waits until the table is in.
  for (const edge of edges) if (edge.table === edge.references && isNullable(edge)) deferred.push(edge);

  const order: string[] = [];
  while (remaining.size > 0) {
    const live = active();
    const ready = [...remaining].filter((table) => !live.some((e) => e.table === table)).sort();
    if (ready.length > 0) {
      for (const table of ready) remaining.delete(table);
      order.push(...ready);
      continue;
    }
    const inCycle = live.filter((e) => isNullable(e) && reaches(live, e.references, e.table));
    if (inCycle.length === 0) throw refusedError(`cannot order the tables for their foreign keys: ${[...remaining].sort().join(', ')} depend on each other through required columns`);
    inCycle.sort((a, b) => Number(a.cascades) - Number(b.cascades) || `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
    deferred.push(inCycle[0]);
  }
  return {tables: order, deferred};
}

function reaches(edges: readonly LiveForeignKey[], from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const table = stack.pop()!;
    if (table === to) return true;
    if (seen.has(table)) continue;
    seen.add(table);
    for (const e of edges) if (e.table === table) stack.push(e.references);
  }
  return false;
}
