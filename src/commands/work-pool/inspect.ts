import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class WorkPoolInspect extends BaseCommand<typeof WorkPoolInspect> {
  static summary = 'Show one work pool: its queues by priority, its workers and its base job template';

  static examples = ['<%= config.bin %> work-pool inspect my-pool', '<%= config.bin %> work-pool inspect 3f2a --json'];

  static args = {
    pool: Args.string({description: 'work pool name, id, or unique id prefix', required: true}),
  };

  async run(): Promise<void> {
    const {findWorkPool} = await import('../../repositories/work-pools.js');
    const {listPoolQueues} = await import('../../repositories/work-queues.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const now = Date.now();
    const {pool, workers} = await findWorkPool(ctx, this.args.pool, now);
    const queues = await listPoolQueues(ctx, pool.id, now);
    const template = (pool.base_job_template ?? {}) as {variables?: {properties?: object}; job_configuration?: object};
    await this.printDetail({
      id: pool.id,
      record: {...pool, work_queues: queues, workers},
      sections: (fmt) => [
        {
          fields: [
            ['ID', pool.id],
            ['Name', pool.name],
            ['Type', pool.type],
            ['Description', pool.description ?? ''],
            ['Status', pool.status ?? ''],
            ['Paused', pool.is_paused ? 'yes' : 'no'],
            ['Concurrency limit', pool.concurrency_limit === null ? 'unlimited' : String(pool.concurrency_limit)],
            ['Default queue', queues.find((q) => q.id === pool.default_queue_id)?.name ?? pool.default_queue_id ?? ''],
            ['Storage', fmt.text(pool.storage_configuration)],
            ['Created', fmt.time(pool.created)],
            ['Updated', fmt.time(pool.updated)],
          ],
        },
        {
          title: 'Work queues (by priority)',
          headers: ['PRIORITY', 'NAME', 'STATUS', 'CONCURRENCY', 'SCHEDULED', 'LATE', 'PENDING', 'RUNNING', 'LAST POLLED'],
          rows: queues.map((q) => [
            String(q.priority),
            q.name,
            q.status,
            q.concurrency_limit === null ? 'unlimited' : String(q.concurrency_limit),
            String(q.flow_run_counts.scheduled),
            String(q.flow_run_counts.late),
            String(q.flow_run_counts.pending),
            String(q.flow_run_counts.running),
            fmt.time(q.last_polled),
          ]),
        },
        {
          title: 'Workers',
          headers: ['NAME', 'STATUS', 'LAST HEARTBEAT', 'HEARTBEAT INTERVAL'],
          rows: workers.map((w) => [
            w.name,
            w.status,
            fmt.time(w.last_heartbeat_time),
            w.heartbeat_interval_seconds === null ? 'default (30s)' : `${w.heartbeat_interval_seconds}s`,
          ]),
        },
        {
          title: 'Base job template (full text with --json)',
          fields: [
            ['Variables', Object.keys(template.variables?.properties ?? {}).join(', ')],
            ['Job configuration', Object.keys(template.job_configuration ?? {}).join(', ')],
          ],
        },
      ],
    });
  }
}
