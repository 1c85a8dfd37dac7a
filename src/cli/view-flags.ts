import {Flags} from '@oclif/core';

/**
 * Column choice, shared by every list command through `limitFlags`; BaseCommand.printList
 * applies them to whatever the list's view offers, so a new `ls` gets them for free.
 */
export const viewFlags = {
  columns: Flags.string({
    description: 'table/csv: only these columns, in this order (table headings in lower case with _, or JSON keys)',
    multiple: true, multipleNonGreedy: true,
    delimiter: ',',
    helpGroup: 'VIEW',
  }),
  fields: Flags.string({description: 'json/jsonl: only these keys of each object, in this order', multiple: true, multipleNonGreedy: true, delimiter: ',', helpGroup: 'VIEW'}),
  'no-header': Flags.boolean({description: 'table/csv: leave out the heading row', helpGroup: 'VIEW'}),
};

const LIST_FLAG = {multiple: true, multipleNonGreedy: true, delimiter: ',', helpGroup: 'VIEW'} as const;

/**
 * The column choice flags of one list, their help naming its table columns. Those names, and
 * every key of its JSON records, are one vocabulary: each works with --columns and --fields
 * in every format (a heading means the JSON key its column shows) and, for runs, with --sort.
 */
export function viewFlagsNaming(columns: readonly string[]) {
  const names = `${columns.join(', ')}, or any key of -o json`;
  return {
    columns: Flags.string({...LIST_FLAG, description: `table/csv: only these columns, in this order: ${names}`}),
    fields: Flags.string({...LIST_FLAG, description: `json/jsonl: only these keys, in this order (the names of --columns work too: ${columns.join(', ')})`}),
    'no-header': viewFlags['no-header'],
  };
}

export interface ViewFlagValues {
  columns?: string[];
  fields?: string[];
  'no-header'?: boolean;
}
