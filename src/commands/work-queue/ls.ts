import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming} from '../../cli/list-flags.js';
import type {WorkQueueRecord} from '../../repositories/work-queues.js';
import type {TableColumn} from '../../render/view.js';

export default class WorkQueueLs extends BaseCommand<typeof WorkQueueLs> {
  static summary = 'List work queues by pool and priority, with their waiting and active flow runs';

  static description =
    'With --all, json, jsonl, csv and -q output are written as the queues are read (run counts looked up a batch at a time), in bounded memory at any size; the table format collects every row first (to size its columns).';

  static examples = ['<%= config.bin %> work-queue ls', '<%= config.bin %> work-queue ls --pool my-pool --json'];

  static flags = {
    pool: Flags.string({char: 'p', description: 'only the queues of this work pool'}),
    ...limitFlagsNaming(['pool', 'name', 'priority', 'status', 'concurrency', 'scheduled', 'late', 'pending', 'running', 'last_polled', 'id']),
  };

  async run(): Promise<void> {
    const {listWorkQueues, streamWorkQueues} = await import('../../repositories/work-queues.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const options = {poolName: this.flags.pool, limit: effectiveLimit(this.flags)};
    const view = {
      noun: 'work queues',
      columns: [
        {header: 'POOL', key: 'work_pool_name', cell: (q) => q.work_pool_name},
        {header: 'NAME', key: 'name', cell: (q) => q.name},
        {header: 'PRIORITY', key: 'priority', cell: (q) => String(q.priority)},
        {header: 'STATUS', key: 'status', cell: (q) => q.status},
        {header: 'CONCURRENCY', key: 'concurrency_limit', cell: (q) => (q.concurrency_limit === null ? 'unlimited' : String(q.concurrency_limit))},
        {header: 'SCHEDULED', key: 'flow_run_counts', cell: (q) => String(q.flow_run_counts.scheduled)},
        {header: 'LATE', key: 'flow_run_counts', cell: (q) => String(q.flow_run_counts.late)},
        {header: 'PENDING', key: 'flow_run_counts', cell: (q) => String(q.flow_run_counts.pending)},
        {header: 'RUNNING', key: 'flow_run_counts', cell: (q) => String(q.flow_run_counts.running)},
        {header: 'LAST POLLED', key: 'last_polled', cell: (q, fmt) => fmt.time(q.last_polled)},
        {header: 'ID', key: 'id', cell: (q) => q.id},
      ] as TableColumn<WorkQueueRecord>[],
    };
    if (options.limit === undefined) return this.printListStream<WorkQueueRecord>(view, (onRows) => streamWorkQueues(ctx, options, Date.now(), onRows));
    await this.printList<WorkQueueRecord>({...view, ...(await listWorkQueues(ctx, options, Date.now()))});
  }
}
