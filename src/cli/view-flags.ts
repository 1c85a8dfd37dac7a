import {Flags} from '@oclif/core';

/**
 * Column choice, shared by every list command through `limitFlags`; BaseCommand.printList
 * applies them to whatever the list's view offers, so a new `ls` gets them for free.
 */
export const viewFlags = {
  columns: Flags.string({
    description: 'table/csv: only these columns, in this order (table headings in lower case with _, or JSON keys)',
    multiple: true,
    delimiter: ',',
    helpGroup: 'VIEW',
  }),
  fields: Flags.string({description: 'json/jsonl: only these keys of each object, in this order', multiple: true, delimiter: ',', helpGroup: 'VIEW'}),
  'no-header': Flags.boolean({description: 'table/csv: leave out the heading row', helpGroup: 'VIEW'}),
};

export interface ViewFlagValues {
  columns?: string[];
  fields?: string[];
  'no-header'?: boolean;
}
