/**
 * Work-queue priorities as Prefect's server keeps them (models/workers.py): unique positive
 * integers per pool, 1 served first. Pure functions over (id, priority) pairs.
 */
export interface QueuePriority {
  id: string;
  priority: number;
}

/** A new queue without a priority takes the first gap in 1..n, else max + 1. */
export function firstFreePriority(priorities: readonly number[]): number {
  const sorted = [...priorities].sort((a, b) => a - b);
  for (const [index, priority] of sorted.entries()) {
    if (priority !== index + 1) return index + 1;
  }
  return (sorted.at(-1) ?? 0) + 1;
}

/**
 * Gives the queues in `wanted` their new priorities and moves the queues they collide with
 * down by one, as few as needed, keeping every other queue's order; gaps stay (a delete
 * does not re-pack). Returns only the queues whose priority changes.
 */
export function reprioritise(queues: readonly QueuePriority[], wanted: ReadonlyMap<string, number>): QueuePriority[] {
  const ordered = [...queues].sort((a, b) => a.priority - b.priority);
  const line = ordered.filter((queue) => !wanted.has(queue.id)).map((queue) => ({...queue}));
  const moved = ordered.filter((queue) => wanted.has(queue.id)).sort((a, b) => wanted.get(a.id)! - wanted.get(b.id)!);
  for (const queue of moved) {
    const priority = wanted.get(queue.id)!;
    const at = line.findIndex((other) => other.priority >= priority);
    // Prefect leaves a queue whose new priority is past every other one out of the walk below.
    if (at >= 0) line.splice(at, 0, {id: queue.id, priority});
  }
  let last = 0;
  for (const queue of line) {
    if (queue.priority <= last) queue.priority = ++last;
    else last = queue.priority;
  }
  const final = new Map(line.map((queue) => [queue.id, queue.priority]));
  for (const queue of moved) if (!final.has(queue.id)) final.set(queue.id, wanted.get(queue.id)!);
  return queues.filter((queue) => final.get(queue.id) !== queue.priority).map((queue) => ({id: queue.id, priority: final.get(queue.id)!}));
}
