import {Flags} from '@oclif/core';

import {usageError} from '../errors.js';
import type {FlowRunFilter} from '../repositories/flow-runs.js';
import type {TaskRunFilter} from '../repositories/task-runs.js';
import {parseTimeInput} from './time-input.js';

/**
 * The run filters of `flow-run ls` / `task-run ls`, shared with every bulk command that
 * selects runs by filter (set-state, cancel, delete, …), so a selection means the same
 * thing wherever it is written.
 */

const timeHelp = 'ISO-8601, "now", or an age such as 2h or 7d';
const STATE_TYPE_LIST = 'SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, CRASHED, PAUSED, CANCELLING';

/** Filters on the run's current state, named --state-type / --state in lists. */
export const stateFilterFlags = {
  'state-type': Flags.string({description: `only runs in these state types: ${STATE_TYPE_LIST} (repeatable or comma list)`, multiple: true, multipleNonGreedy: true, delimiter: ','}),
  state: Flags.string({description: 'only runs whose state has this name, any case: Late, AwaitingRetry… (repeatable or comma list)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
};

/** The same filters where --state-type / --state name the target (set-state). */
export const currentStateFilterFlags = {
  'current-state-type': Flags.string({description: `only runs now in these state types: ${STATE_TYPE_LIST} (repeatable or comma list)`, multiple: true, multipleNonGreedy: true, delimiter: ','}),
  'current-state': Flags.string({description: 'only runs whose current state has this name, any case (repeatable or comma list)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
};

const timeWindowFlags = {
  'started-since': Flags.string({description: `started at or after this time: ${timeHelp}`}),
  'started-before': Flags.string({description: `started before this time: ${timeHelp}`}),
  'ended-since': Flags.string({description: `ended at or after this time: ${timeHelp}`}),
  'ended-before': Flags.string({description: `ended before this time: ${timeHelp}`}),
};

export const flowRunFilterFlags = {
  'flow-name': Flags.string({description: 'only runs of flows with these exact names (repeatable or comma list)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
  deployment: Flags.string({description: 'only runs of this deployment: flow-name/deployment-name, id, or id prefix'}),
  tag: Flags.string({description: 'only runs with these tags (repeatable or comma list: all must be present)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
  'work-pool': Flags.string({description: 'only runs sent to a queue of the work pool with this name'}),
  'work-queue': Flags.string({description: 'only runs sent to the work queue with this name'}),
  parent: Flags.string({description: 'only subflow runs of this flow run (id or unique prefix)'}),
  since: Flags.string({description: `expected start at or after this time: ${timeHelp}`}),
  until: Flags.string({description: `expected start at or before this time: ${timeHelp}`}),
  ...timeWindowFlags,
};

export const taskRunFilterFlags = {
  'flow-run': Flags.string({description: 'only task runs of this flow run (id or unique prefix)'}),
  tag: Flags.string({description: 'only runs with these tags (repeatable or comma list: all must be present)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
  ...timeWindowFlags,
};

type FlagValues = Record<string, unknown>;

const time = (value: unknown) => (typeof value === 'string' ? parseTimeInput(value) : undefined);
const list = (value: unknown) => (Array.isArray(value) ? (value as string[]) : undefined);

/**
 * A name or id filter. A blank one is refused, not read as "no filter": a bulk command run with
 * `--work-pool "$POOL"` and POOL unset must not select every run.
 */
function text(flags: FlagValues, name: string): string | undefined {
  const value = flags[name];
  if (typeof value !== 'string') return undefined;
  if (value.trim() === '') throw usageError(`--${name} is empty: give a value, or leave the flag out`);
  return value;
}

function texts(flags: FlagValues, name: string): string[] | undefined {
  const values = list(flags[name]);
  if (values?.some((value) => value.trim() === '')) throw usageError(`--${name} has an empty value: give a value, or leave the flag out`);
  return values;
}

/** Which flags carry the state filter: the list's own, or the --current-* pair of set-state. */
export type StateFlagNames = 'state' | 'current-state';

async function stateFilter(flags: FlagValues, names: StateFlagNames) {
  const types = list(flags[`${names}-type`]);
  const stateNames = list(flags[names]);
  if (!types?.length && !stateNames?.length) return undefined;
  // Loaded on use: the state module pulls in the schema catalogue, which flag parsing must not pay for.
  const {parseStateTypes} = await import('../repositories/run-states.js');
  return {types: parseStateTypes(types ?? []), names: stateNames};
}

export async function flowRunFilterFrom(flags: FlagValues, stateFlags: StateFlagNames = 'state'): Promise<FlowRunFilter> {
  return dropUndefined({
    flowNames: texts(flags, 'flow-name'),
    deployment: text(flags, 'deployment'),
    states: await stateFilter(flags, stateFlags),
    tags: texts(flags, 'tag'),
    workPool: text(flags, 'work-pool'),
    workQueue: text(flags, 'work-queue'),
    parent: text(flags, 'parent'),
    expectedSince: time(flags.since),
    expectedUntil: time(flags.until),
    startedSince: time(flags['started-since']),
    startedBefore: time(flags['started-before']),
    endedSince: time(flags['ended-since']),
    endedBefore: time(flags['ended-before']),
  });
}

export async function taskRunFilterFrom(flags: FlagValues, stateFlags: StateFlagNames = 'state'): Promise<TaskRunFilter> {
  return dropUndefined({
    flowRun: text(flags, 'flow-run'),
    states: await stateFilter(flags, stateFlags),
    tags: texts(flags, 'tag'),
    startedSince: time(flags['started-since']),
    startedBefore: time(flags['started-before']),
    endedSince: time(flags['ended-since']),
    endedBefore: time(flags['ended-before']),
  });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;
}
