import {usageError} from '../errors.js';
import type {Micros} from './time.js';

/** What `db seed` was asked to generate. */
export interface SeedOptions {
  seed: number;
  /** The moment the data is "as of": runs before it have happened, Scheduled runs come after it. */
  now: Micros;
  flows: number;
  deployments: number;
  flowRuns: number;
  taskRunsPerFlowRun: number;
  logsPerRun: number;
}

export const SEED_DEFAULTS = {
  seed: 1,
  flows: 10,
  deployments: 20,
  flowRuns: 1000,
  taskRunsPerFlowRun: 3,
  logsPerRun: 2,
} as const;

/** Refuses impossible requests before anything is opened or written. */
export function validateSeedOptions(options: SeedOptions): void {
  if (options.flows === 0 && options.flowRuns > 0) throw usageError('flow runs need a flow: give --flows 1 or more');
}
