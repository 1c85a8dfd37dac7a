import {jsonText} from '../db/codecs/json-text.js';
import type {VariableRecord} from '../repositories/variables.js';
import type {DetailView, TableColumn} from './view.js';

/** A value for a shell pipeline: a string as it is, anything else as compact JSON. */
export function variableValueText(value: unknown): string {
  return typeof value === 'string' ? value : jsonText(value);
}

export function variableDetailView(variable: VariableRecord): DetailView {
  return {
    id: variable.id,
    record: variable,
    sections: (fmt) => [
      {
        fields: [
          ['ID', variable.id],
          ['Name', variable.name],
          ['Value', jsonText(variable.value)],
          ['Tags', variable.tags.join(', ')],
          ['Created', fmt.time(variable.created)],
          ['Updated', fmt.time(variable.updated)],
        ],
      },
    ],
  };
}

export const VARIABLE_COLUMNS: TableColumn<VariableRecord>[] = [
  {header: 'NAME', key: 'name', cell: (v) => v.name},
  {header: 'VALUE', key: 'value', cell: (v, fmt) => fmt.summary(jsonText(v.value), 50)},
  {header: 'TAGS', key: 'tags', cell: (v) => v.tags.join(', ')},
  {header: 'UPDATED', key: 'updated', cell: (v, fmt) => fmt.time(v.updated)},
  {header: 'ID', key: 'id', cell: (v) => v.id},
];
