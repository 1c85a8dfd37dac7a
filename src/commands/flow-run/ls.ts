import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming, parseSort} from '../../cli/list-flags.js';
import {flowRunFilterFlags, flowRunFilterFrom, stateFilterFlags} from '../../cli/run-filter-flags.js';
import type {FlowRunRecord} from '../../repositories/flow-runs.js';
import type {TableColumn} from '../../render/view.js';

export default class FlowRunLs extends BaseCommand<typeof FlowRunLs> {
  static summary = 'List flow runs, newest expected start first';

  static description =
    'Filters combine with AND; a repeated --flow-name, --state-type or --state matches any of its values, a repeated --tag needs all of them. With --all, json, jsonl, csv and -q output are written as the rows are read, in bounded memory at any size; the table format collects every row first (to size its columns), and --sort created has no index, so the database sorts the selection first.';

  static examples = [
    '<%= config.bin %> flow-run ls --state-type FAILED,CRASHED --since 1d',
    '<%= config.bin %> flow-run ls --state Late --deployment etl/nightly -q',
    '<%= config.bin %> flow-run ls --parent 3f2a --sort start:asc --json',
    '<%= config.bin %> flow-run ls --all -o jsonl > runs.jsonl',
  ];

  static flags = {
    ...flowRunFilterFlags,
    ...stateFilterFlags,
    sort: Flags.string({
      description: 'expected_start, start, end, created or name (or the JSON key: expected_start_time, start_time, end_time), optionally :asc or :desc (times default to newest first)',
      default: 'expected_start',
    }),
    ...limitFlagsNaming(['id', 'name', 'flow', 'state', 'expected_start', 'start', 'duration']),
  };

  async run(): Promise<void> {
    const {listFlowRuns, streamFlowRuns, RUN_SORT_FIELDS} = await import('../../repositories/flow-runs.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {flags} = this;
    const options = {
      filter: await flowRunFilterFrom(flags),
      sort: parseSort(flags.sort, RUN_SORT_FIELDS),
      limit: effectiveLimit(flags),
    };
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const view = {
      noun: 'flow runs',
      columns: [
        {header: 'ID', key: 'id', cell: (r) => r.id},
        {header: 'NAME', key: 'name', cell: (r) => r.name},
        {header: 'FLOW', key: 'flow_name', cell: (r) => r.flow_name ?? ''},
        {header: 'STATE', cell: (r, fmt) => fmt.state(r.state_type, r.state_name)},
        {header: 'EXPECTED START', key: 'expected_start_time', cell: (r, fmt) => fmt.time(r.expected_start_time)},
        {header: 'START', key: 'start_time', cell: (r, fmt) => fmt.time(r.start_time)},
        {header: 'DURATION', key: 'estimated_run_time', cell: (r, fmt) => (r.start_time ? fmt.duration(r.estimated_run_time) : '')},
      ] as TableColumn<FlowRunRecord>[],
    };
    if (options.limit === undefined) return this.printListStream<FlowRunRecord>(view, (onRows) => streamFlowRuns(ctx, options, onRows));
    await this.printList<FlowRunRecord>({...view, ...(await listFlowRuns(ctx, options))});
  }
}
