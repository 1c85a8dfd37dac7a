import type {GlobalConcurrencyLimitRecord} from '../repositories/concurrency-limits.js';
import type {TagLimitRecord} from '../services/tag-concurrency-limits.js';
import type {DetailView, TableColumn} from './view.js';

export function tagLimitDetailView(limit: TagLimitRecord): DetailView {
  return {
    id: limit.id,
    record: limit,
    sections: (fmt) => [
      {
        fields: [
          ['ID', limit.id],
          ['Tag', limit.tag],
          ['Concurrency limit', String(limit.concurrency_limit)],
          ['Slots in use', String(limit.slots_in_use)],
          ['Stored in', limit.stored_in === 'concurrency_limit_v2' ? `concurrency_limit_v2 (as "tag:${limit.tag}")` : 'concurrency_limit'],
          ['Created', fmt.time(limit.created)],
          ['Updated', fmt.time(limit.updated)],
        ],
      },
      {
        title: limit.stored_in === 'concurrency_limit_v2' ? 'Task runs with this tag holding a slot (Running or Cancelling)' : 'Task runs holding a slot',
        headers: ['TASK RUN', 'NAME', 'STATE', 'FLOW RUN'],
        rows: limit.active_task_runs.map((run) => [run.id, run.name, fmt.state(run.state_type, run.state_name) || '(no such task run)', run.flow_run_id ?? '']),
      },
    ],
  };
}

export const TAG_LIMIT_COLUMNS: TableColumn<TagLimitRecord>[] = [
  {header: 'TAG', key: 'tag', cell: (l) => l.tag},
  {header: 'LIMIT', key: 'concurrency_limit', cell: (l) => String(l.concurrency_limit)},
  {header: 'SLOTS IN USE', key: 'slots_in_use', cell: (l) => String(l.slots_in_use)},
  {header: 'ACTIVE TASK RUNS', key: 'active_task_runs', cell: (l) => String(l.active_task_runs.length)},
  {header: 'ID', key: 'id', cell: (l) => l.id},
];

export function globalLimitDetailView(limit: GlobalConcurrencyLimitRecord): DetailView {
  return {
    id: limit.id,
    record: limit,
    sections: (fmt) => [
      {
        fields: [
          ['ID', limit.id],
          ['Name', limit.name],
          ['Active', limit.active ? 'yes' : 'no'],
          ['Limit', String(limit.limit)],
          ['Active slots', String(limit.active_slots)],
          ['Slot decay per second', String(limit.slot_decay_per_second)],
          ['Created', fmt.time(limit.created)],
          ['Updated', fmt.time(limit.updated)],
        ],
      },
    ],
  };
}

export const GLOBAL_LIMIT_COLUMNS: TableColumn<GlobalConcurrencyLimitRecord>[] = [
  {header: 'NAME', key: 'name', cell: (l) => l.name},
  {header: 'ACTIVE', key: 'active', cell: (l) => (l.active ? 'yes' : 'no')},
  {header: 'LIMIT', key: 'limit', cell: (l) => String(l.limit)},
  {header: 'ACTIVE SLOTS', key: 'active_slots', cell: (l) => String(l.active_slots)},
  {header: 'SLOT DECAY/S', key: 'slot_decay_per_second', cell: (l) => String(l.slot_decay_per_second)},
  {header: 'UPDATED', key: 'updated', cell: (l, fmt) => fmt.time(l.updated)},
  {header: 'ID', key: 'id', cell: (l) => l.id},
];
