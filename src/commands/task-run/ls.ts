import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming, parseSort} from '../../cli/list-flags.js';
import {stateFilterFlags, taskRunFilterFlags, taskRunFilterFrom} from '../../cli/run-filter-flags.js';
import type {TaskRunRecord} from '../../repositories/task-runs.js';
import type {TableColumn} from '../../render/view.js';

export default class TaskRunLs extends BaseCommand<typeof TaskRunLs> {
  static summary = 'List task runs, newest expected start first';

  static description =
    'Filters combine with AND; a repeated --state-type or --state matches any of its values, a repeated --tag needs all of them. With --all, json, jsonl, csv and -q output are written as the rows are read, in bounded memory at any size; the table format collects every row first (to size its columns), and --sort created has no index, so the database sorts the selection first. --sort name walks the name index but sorts each group of task runs sharing a name by id (names repeat across flow runs, so a group can be a large share of the table).';

  static examples = [
    '<%= config.bin %> task-run ls --flow-run 0199a3c4',
    '<%= config.bin %> task-run ls --state-type FAILED --sort end --json',
  ];

  static flags = {
    ...taskRunFilterFlags,
    ...stateFilterFlags,
    sort: Flags.string({
      description: 'expected_start, start, end, created or name (or the JSON key: expected_start_time, start_time, end_time), optionally :asc or :desc (times default to newest first)',
      default: 'expected_start',
    }),
    ...limitFlagsNaming(['id', 'name', 'state', 'expected_start', 'start', 'duration', 'flow_run']),
  };

  async run(): Promise<void> {
    const {listTaskRuns, streamTaskRuns} = await import('../../repositories/task-runs.js');
    const {RUN_SORT_FIELDS} = await import('../../repositories/flow-runs.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {flags} = this;
    const options = {
      filter: await taskRunFilterFrom(flags),
      sort: parseSort(flags.sort, RUN_SORT_FIELDS),
      limit: effectiveLimit(flags),
    };
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const view = {
      noun: 'task runs',
      columns: [
        {header: 'ID', key: 'id', cell: (r) => r.id},
        {header: 'NAME', key: 'name', cell: (r) => r.name},
        {header: 'STATE', cell: (r, fmt) => fmt.state(r.state_type, r.state_name)},
        {header: 'EXPECTED START', key: 'expected_start_time', cell: (r, fmt) => fmt.time(r.expected_start_time)},
        {header: 'START', key: 'start_time', cell: (r, fmt) => fmt.time(r.start_time)},
        {header: 'DURATION', key: 'estimated_run_time', cell: (r, fmt) => (r.start_time ? fmt.duration(r.estimated_run_time) : '')},
        {header: 'FLOW RUN', key: 'flow_run_id', cell: (r) => r.flow_run_id ?? ''},
      ] as TableColumn<TaskRunRecord>[],
    };
    if (options.limit === undefined) return this.printListStream<TaskRunRecord>(view, (onRows) => streamTaskRuns(ctx, options, onRows));
    await this.printList<TaskRunRecord>({...view, ...(await listTaskRuns(ctx, options))});
  }
}
