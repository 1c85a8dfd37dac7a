import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming, parseSort} from '../../cli/list-flags.js';
import type {DeploymentRecord, DeploymentSortField} from '../../repositories/deployments.js';
import type {ScheduleSummary} from '../../render/deployment-schedules.js';
import type {TableColumn} from '../../render/view.js';

const SORT_FIELDS: Record<DeploymentSortField, {defaultDirection: 'asc' | 'desc'}> = {
  name: {defaultDirection: 'asc'},
  created: {defaultDirection: 'desc'},
  updated: {defaultDirection: 'desc'},
};

export default class DeploymentLs extends BaseCommand<typeof DeploymentLs> {
  static summary = 'List deployments';

  static description =
    'With --all, json, jsonl, csv and -q output are written as the deployments are read, in bounded memory at any size; the table format collects every row first (to size its columns).';

  static examples = [
    '<%= config.bin %> deployment ls',
    '<%= config.bin %> deployment ls --work-pool k8s --no-paused',
    '<%= config.bin %> deployment ls --flow-name etl --sort updated --json',
  ];

  static flags = {
    'flow-name': Flags.string({description: "only deployments of the flow with this name"}),
    'work-pool': Flags.string({description: 'only deployments whose work queue is in this work pool'}),
    tag: Flags.string({description: 'only deployments with this tag'}),
    paused: Flags.boolean({description: 'only paused deployments (--no-paused: only active ones)', allowNo: true}),
    sort: Flags.string({description: 'name, created or updated, optionally :asc or :desc', default: 'name'}),
    ...limitFlagsNaming(['name', 'id', 'work_pool', 'schedules', 'next_run', 'paused', 'status', 'updated']),
  };

  async run(): Promise<void> {
    const sort = parseSort(this.flags.sort, SORT_FIELDS);
    const {listDeployments, streamDeployments} = await import('../../repositories/deployments.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const options = {
      flowName: this.flags['flow-name'],
      workPoolName: this.flags['work-pool'],
      tag: this.flags.tag,
      paused: this.flags.paused,
      sort,
      limit: effectiveLimit(this.flags),
    };
    // Schedules in words need the scheduling libraries; only table columns (tables, CSV --columns) show them.
    const summaries = new Map<string, ScheduleSummary>();
    const summarise =
      (this.outputFormat === 'table' || this.outputFormat === 'csv') && !this.flags.quiet
        ? (await import('../../render/deployment-schedules.js')).summariseSchedules
        : undefined;
    const summariseAll = (deployments: DeploymentRecord[]) => {
      if (!summarise) return;
      const now = Date.now();
      for (const deployment of deployments) summaries.set(deployment.id, summarise(deployment, now));
    };
    const view = {
      noun: 'deployments',
      columns: [
        {header: 'NAME', cell: (d) => `${d.flow_name}/${d.name}`},
        {header: 'ID', key: 'id', cell: (d) => d.id},
        {header: 'WORK POOL', cell: (d) => [d.work_pool_name, d.work_queue_name].filter(Boolean).join(' / ')},
        {header: 'SCHEDULES', cell: (d) => summaries.get(d.id)?.words ?? ''},
        {header: 'NEXT RUN', cell: (d, fmt) => fmt.time(summaries.get(d.id)?.nextRun ?? null)},
        {header: 'PAUSED', key: 'paused', cell: (d) => (d.paused ? 'yes' : 'no')},
        {header: 'STATUS', key: 'status', cell: (d) => d.status},
        {header: 'UPDATED', key: 'updated', cell: (d, fmt) => fmt.time(d.updated)},
      ] as TableColumn<DeploymentRecord>[],
    };
    if (options.limit === undefined) {
      return this.printListStream<DeploymentRecord>(view, (onRows) =>
        streamDeployments(ctx, options, Date.now(), async (rows) => {
          summariseAll(rows);
          await onRows(rows);
          // Only a table keeps its rows to the end; other formats have written this batch's cells.
          if (this.outputFormat !== 'table') summaries.clear();
        }),
      );
    }
    const result = await listDeployments(ctx, options, Date.now());
    summariseAll(result.rows);
    await this.printList<DeploymentRecord>({...view, ...result});
  }
}
