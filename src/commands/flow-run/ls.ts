import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlags, parseSort} from '../../cli/list-flags.js';
import {parseTimeInput} from '../../cli/time-input.js';
import type {FlowRunRecord} from '../../repositories/flow-runs.js';

const timeHelp = 'ISO-8601, "now", or an age such as 2h or 7d';

export default class FlowRunLs extends BaseCommand<typeof FlowRunLs> {
  static summary = 'List flow runs, newest expected start first';

  static description =
    'Filters combine with AND; a repeated --flow-name, --state-type or --state matches any of its values, a repeated --tag needs all of them.';

  static examples = [
    '<%= config.bin %> flow-run ls --state-type FAILED,CRASHED --since 1d',
    '<%= config.bin %> flow-run ls --state Late --deployment etl/nightly -q',
    '<%= config.bin %> flow-run ls --parent 3f2a --sort start:asc --json',
  ];

  static flags = {
    'flow-name': Flags.string({description: 'only runs of the flow with this exact name (repeatable)', multiple: true}),
    deployment: Flags.string({description: 'only runs of this deployment: flow-name/deployment-name, id, or id prefix'}),
    'state-type': Flags.string({
      description: 'only runs in these state types: SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, CRASHED, PAUSED, CANCELLING (repeatable or comma list)',
      multiple: true,
      delimiter: ',',
    }),
    state: Flags.string({description: 'only runs whose state has this name, any case: Late, AwaitingRetry… (repeatable or comma list)', multiple: true, delimiter: ','}),
    tag: Flags.string({description: 'only runs with this tag (repeatable: all must be present)', multiple: true}),
    'work-pool': Flags.string({description: 'only runs sent to a queue of the work pool with this name'}),
    'work-queue': Flags.string({description: 'only runs sent to the work queue with this name'}),
    parent: Flags.string({description: 'only subflow runs of this flow run (id or unique prefix)'}),
    since: Flags.string({description: `expected start at or after this time: ${timeHelp}`}),
    until: Flags.string({description: `expected start at or before this time: ${timeHelp}`}),
    'started-since': Flags.string({description: `started at or after this time: ${timeHelp}`}),
    'ended-since': Flags.string({description: `ended at or after this time: ${timeHelp}`}),
    sort: Flags.string({
      description: 'expected-start, start, end, created or name, optionally :asc or :desc (times default to newest first)',
      default: 'expected-start',
    }),
    ...limitFlags,
  };

  async run(): Promise<void> {
    const {listFlowRuns, RUN_SORT_FIELDS} = await import('../../repositories/flow-runs.js');
    const {parseStateTypes} = await import('../../repositories/run-states.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {flags} = this;
    const time = (value: string | undefined) => (value === undefined ? undefined : parseTimeInput(value));
    const options = {
      filter: {
        flowNames: flags['flow-name'],
        deployment: flags.deployment,
        states: {types: parseStateTypes(flags['state-type'] ?? []), names: flags.state},
        tags: flags.tag,
        workPool: flags['work-pool'],
        workQueue: flags['work-queue'],
        parent: flags.parent,
        expectedSince: time(flags.since),
        expectedUntil: time(flags.until),
        startedSince: time(flags['started-since']),
        endedSince: time(flags['ended-since']),
      },
      sort: parseSort(flags.sort, RUN_SORT_FIELDS),
      limit: effectiveLimit(flags),
    };
    const {db, schema} = await this.connectToPrefect();
    const result = await listFlowRuns(repositoryContext(db, schema), options);
    await this.printList<FlowRunRecord>({
      noun: 'flow runs',
      ...result,
      columns: [
        {header: 'ID', cell: (r) => r.id},
        {header: 'NAME', cell: (r) => r.name},
        {header: 'FLOW', cell: (r) => r.flow_name ?? ''},
        {header: 'STATE', cell: (r, fmt) => fmt.state(r.state_type, r.state_name)},
        {header: 'EXPECTED START', cell: (r, fmt) => fmt.time(r.expected_start_time)},
        {header: 'START', cell: (r, fmt) => fmt.time(r.start_time)},
        {header: 'DURATION', cell: (r, fmt) => (r.start_time ? fmt.duration(r.estimated_run_time) : '')},
      ],
    });
  }
}
