import {Flags} from '@oclif/core';

import {usageError} from '../errors.js';
import {viewFlags, viewFlagsNaming} from './view-flags.js';

/** Far above any real list, far below where drivers start to misread integers. */
export const MAX_LIMIT = 1_000_000_000;

/** --limit / --all and the column choice (--columns, --fields, --no-header), shared by every list command. */
export const limitFlags = {
  limit: Flags.integer({description: 'show at most this many', default: 20, min: 1, max: MAX_LIMIT}),
  all: Flags.boolean({description: 'show everything (no limit)', exclusive: ['limit']}),
  ...viewFlags,
};

/** `limitFlags` with help that names the list's table columns (see viewFlagsNaming). */
export function limitFlagsNaming(columns: readonly string[]) {
  return {...limitFlags, ...viewFlagsNaming(columns)};
}

export function effectiveLimit(flags: {limit?: number; all?: boolean}): number | undefined {
  return flags.all ? undefined : flags.limit;
}

export interface SortChoice<F extends string> {
  field: F;
  direction: 'asc' | 'desc';
}

/**
 * Reads `--sort FIELD[:asc|desc]`. Times sort newest first unless told otherwise;
 * names sort A→Z. FIELD is a name of the list's column vocabulary: a table heading in lower
 * case (`expected_start`), or the JSON key it orders by (`expected_start_time`); `-` may
 * stand for `_`.
 */
export function parseSort<F extends string>(
  value: string,
  fields: Record<F, {defaultDirection: 'asc' | 'desc'}>,
): SortChoice<F> {
  const [rawField, rawDirection] = value.toLowerCase().split(':');
  const spelled = rawField.trim().replaceAll('_', '-');
  const field = (spelled in fields ? spelled : spelled.replace(/-time$/, '')) as F;
  if (!(field in fields)) {
    const names = Object.keys(fields).map((name) => name.replaceAll('-', '_'));
    throw usageError(`unknown sort field "${rawField}": use one of ${names.join(', ')} (optionally :asc or :desc)`);
  }
  if (rawDirection !== undefined && rawDirection !== 'asc' && rawDirection !== 'desc') {
    throw usageError(`unknown sort direction "${rawDirection}": use asc or desc`);
  }
  return {field, direction: (rawDirection as 'asc' | 'desc' | undefined) ?? fields[field].defaultDirection};
}
