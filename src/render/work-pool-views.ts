import type {WorkPoolRecord} from '../repositories/work-pools.js';
import type {WorkQueueRecord} from '../repositories/work-queues.js';
import type {WorkerRecord} from '../repositories/workers.js';
import type {DetailView} from './view.js';

/** `work-pool inspect`'s record and sections; write commands print the pool the same way. */
export function workPoolDetailView(detail: {pool: WorkPoolRecord; queues: WorkQueueRecord[]; workers: WorkerRecord[]}): DetailView {
  const {pool, queues, workers} = detail;
  const template = (pool.base_job_template ?? {}) as {variables?: {properties?: object}; job_configuration?: object};
  return {
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
  };
}

/** `work-queue inspect`'s record and sections. */
export function workQueueDetailView(queue: WorkQueueRecord): DetailView {
  return {
    id: queue.id,
    record: queue,
    sections: (fmt) => [
      {
        fields: [
          ['ID', queue.id],
          ['Name', `${queue.work_pool_name}/${queue.name}`],
          ['Description', queue.description ?? ''],
          ['Priority', String(queue.priority)],
          ['Status', queue.status],
          ['Paused', queue.is_paused ? 'yes' : 'no'],
          ['Concurrency limit', queue.concurrency_limit === null ? 'unlimited' : String(queue.concurrency_limit)],
          ['Last polled', fmt.time(queue.last_polled)],
          ['Filter (legacy)', fmt.text(queue.filter)],
          ['Created', fmt.time(queue.created)],
          ['Updated', fmt.time(queue.updated)],
        ],
      },
      {
        title: 'Flow runs',
        fields: [
          ['Scheduled', String(queue.flow_run_counts.scheduled)],
          ['Late', String(queue.flow_run_counts.late)],
          ['Pending', String(queue.flow_run_counts.pending)],
          ['Running', String(queue.flow_run_counts.running)],
        ],
      },
    ],
  };
}
