import type {Dialect} from '../../db/dialect.js';
import type {LiveColumn} from '../../repositories/copy/endpoint.js';
import {type ColumnPlan, columnPlan, logicalTypeOf} from './column-plan.js';

export interface TablePlan {
  name: string;
  /** The column rows are read and resumed in order of: the primary key `id`. */
  key: string;
  columns: ColumnPlan[];
  keyIndex: number;
  /** Indexes of pointer columns written NULL at first and filled last. */
  deferredIndexes: number[];
}

export function tablePlan(
  name: string,
  sourceColumns: readonly LiveColumn[],
  targetColumns: readonly LiveColumn[],
  dialects: {source: Dialect; target: Dialect},
  deferredColumns: readonly string[],
): TablePlan {
  const targetByName = new Map(targetColumns.map((c) => [c.name, c]));
  const columns = sourceColumns.map((column) => {
    const type = logicalTypeOf(name, {...column, dialect: dialects.source}, {...targetByName.get(column.name)!, dialect: dialects.target});
    return columnPlan(column.name, type, dialects.source, dialects.target);
  });
  const key = columns.some((c) => c.name === 'id') ? 'id' : columns[0].name;
  return {
    name,
    key,
    columns,
    keyIndex: columns.findIndex((c) => c.name === key),
    deferredIndexes: deferredColumns.map((column) => columns.findIndex((c) => c.name === column)),
  };
}
