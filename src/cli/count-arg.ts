import {Args} from '@oclif/core';

import {usageError} from '../errors.js';

/**
 * A whole number ≥ 0 given as a positional argument. oclif's own integer argument reports
 * a bad value as an unexpected failure (exit 1); this one is bad input (exit 2).
 */
export const countArg = (description: string) =>
  Args.custom<number>({
    description,
    required: true,
    parse: async (input) => {
      if (!/^\d+$/.test(input.trim())) throw usageError(`invalid limit "${input.slice(0, 20)}": expected a whole number, 0 or more`);
      return Number(input);
    },
  })();
