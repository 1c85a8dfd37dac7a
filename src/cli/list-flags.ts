import {Flags} from '@oclif/core';

import {usageError} from '../errors.js';
import {viewFlags} from './view-flags.js';

/** Far above any real list, far below where drivers start to misread integers. */
export const MAX_LIMIT = 1_000_000_000;

/** --limit / --all and the column choice (--columns, --fields, --no-header), shared by every list command. */
export const limitFlags = {
  limit: Flags.integer({description: 'show at most this many', default: 20, min: 1, max: MAX_LIMIT}),
  all: Flags.boolean({description: 'show everything (no limit)', exclusive: ['limit']}),
  ...viewFlags,
};

export function effectiveLimit(flags: {limit?: number; all?: boolean}): number | undefined {
  return flags.all ? undefined : flags.limit;
}

export interface SortChoice<F extends string> {
  field: F;
  direction: 'asc' | 'desc';
}

/**
 * Reads `--sort FIELD[:asc|desc]`. Times sort newest first unless told otherwise;
 * names sort A→Z.
 */
export function parseSort<F extends string>(
  value: string,
  fields: Record<F, {defaultDirection: 'asc' | 'desc'}>,
): SortChoice<F> {
  const [rawField, rawDirection] = value.toLowerCase().split(':');
  const field = rawField.replaceAll('_', '-') as F;
  if (!(field in fields)) {
    throw usageError(`unknown sort field "${rawField}": use one of ${Object.keys(fields).join(', ')} (optionally :asc or :desc)`);
  }
  if (rawDirection !== undefined && rawDirection !== 'asc' && rawDirection !== 'desc') {
    throw usageError(`unknown sort direction "${rawDirection}": use asc or desc`);
  }
  return {field, direction: (rawDirection as 'asc' | 'desc' | undefined) ?? fields[field].defaultDirection};
}
