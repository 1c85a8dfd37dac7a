import {Flags} from '@oclif/core';

/** How a bulk command bounds its selection: every run the filter matches unless --limit caps it. */
export const selectionFlags = {
  all: Flags.boolean({description: 'select every run (a bulk command with no ids needs a filter or --all)'}),
  limit: Flags.integer({description: 'change at most this many runs', min: 1}),
};
