import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming} from '../../cli/list-flags.js';
import type {WorkPoolSummary} from '../../repositories/work-pools.js';
import type {TableColumn} from '../../render/view.js';

export default class WorkPoolLs extends BaseCommand<typeof WorkPoolLs> {
  static summary = 'List work pools with their status, queues and workers';

  static description =
    "Status and worker online/offline are derived now from heartbeats and pause flags, as Prefect's foreman " +
    'derives them, so they are right even when no Prefect server has been running. ' +
    'With --all, json, jsonl, csv and -q output are written as the pools are read, in bounded memory at any size; the table format collects every row first (to size its columns).';

  static examples = ['<%= config.bin %> work-pool ls', '<%= config.bin %> work-pool ls --json'];

  static flags = {...limitFlagsNaming(['name', 'type', 'status', 'paused', 'concurrency', 'queues', 'workers', 'id'])};

  async run(): Promise<void> {
    const {listWorkPools, streamWorkPools} = await import('../../repositories/work-pools.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const view = {
      noun: 'work pools',
      columns: [
        {header: 'NAME', key: 'name', cell: (p) => p.name},
        {header: 'TYPE', key: 'type', cell: (p) => p.type},
        {header: 'STATUS', key: 'status', cell: (p) => p.status ?? ''},
        {header: 'PAUSED', key: 'is_paused', cell: (p) => (p.is_paused ? 'yes' : 'no')},
        {header: 'CONCURRENCY', key: 'concurrency_limit', cell: (p) => (p.concurrency_limit === null ? 'unlimited' : String(p.concurrency_limit))},
        {header: 'QUEUES', key: 'work_queue_count', cell: (p) => String(p.work_queue_count)},
        {header: 'WORKERS', cell: (p) => `${p.workers_online} online, ${p.workers_offline} offline`},
        {header: 'ID', key: 'id', cell: (p) => p.id},
      ] as TableColumn<WorkPoolSummary>[],
    };
    const limit = effectiveLimit(this.flags);
    if (limit === undefined) return this.printListStream<WorkPoolSummary>(view, (onRows) => streamWorkPools(ctx, Date.now(), onRows));
    await this.printList<WorkPoolSummary>({...view, ...(await listWorkPools(ctx, {limit}, Date.now()))});
  }
}
