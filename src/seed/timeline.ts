import type {FlowRunOrigin} from './history.js';
import type {SeedPlan} from './plan.js';
import type {SeededRandom} from './random.js';
import type {Micros} from './time.js';

/** One flow run to generate: when it was meant to start, and what made it. */
export interface RunSlot {
  origin: FlowRunOrigin;
  expectedStart: Micros;
  flowIndex: number;
  /** Index into the plan's deployments; null for ad-hoc runs. */
  deploymentIndex: number | null;
}

interface Source {
  head: RunSlot;
  rest: Iterator<RunSlot>;
}

/**
 * Every flow run of the plan in order of expected start, produced lazily: the sources are
 * each deployment's schedule dates, manual runs of deployments and ad-hoc runs of flows,
 * merged through a min-heap. Chronological order makes v7 ids and "latest artifact per key"
 * come out as a live server would have left them.
 */
export function* runTimeline(plan: SeedPlan, now: Micros, random: SeededRandom): Generator<RunSlot> {
  const sources: Iterator<RunSlot>[] = plan.deployments.map((deployment) =>
    mapTimes([...deployment.pastRunTimes, ...deployment.futureRunTimes], (expectedStart) => ({
      origin: 'auto-scheduled',
      expectedStart,
      flowIndex: deployment.flowIndex,
      deploymentIndex: deployment.index,
    })),
  );
  // Manual and ad-hoc runs fall evenly over the window, with jitter; drawn up front so the
  // merge order cannot change which random numbers they get.
  const spread = (count: number) => {
    const step = (now - plan.windowStart) / Math.max(count, 1);
    return Array.from({length: count}, (_, i) => Math.floor(plan.windowStart + (i + random.next()) * step));
  };
  const manualDeployments = Array.from({length: plan.manualRuns}, () => random.int(0, plan.deployments.length - 1));
  sources.push(
    mapTimes(spread(plan.manualRuns), (expectedStart, i) => ({
      origin: 'manual',
      expectedStart,
      flowIndex: plan.deployments[manualDeployments[i]].flowIndex,
      deploymentIndex: manualDeployments[i],
    })),
  );
  const adHocFlows = Array.from({length: plan.adHocRuns}, () => random.int(0, plan.flowCount - 1));
  sources.push(
    mapTimes(spread(plan.adHocRuns), (expectedStart, i) => ({origin: 'ad-hoc', expectedStart, flowIndex: adHocFlows[i], deploymentIndex: null})),
  );

  const heap = new SlotHeap();
  for (const rest of sources) {
    const first = rest.next();
    if (!first.done) heap.push({head: first.value, rest});
  }
  while (heap.size > 0) {
    const source = heap.pop();
    yield source.head;
    const next = source.rest.next();
    if (!next.done) heap.push({head: next.value, rest: source.rest});
  }
}

function* mapTimes(times: Micros[], toSlot: (at: Micros, index: number) => RunSlot): Generator<RunSlot> {
  for (let i = 0; i < times.length; i++) yield toSlot(times[i], i);
}

/** A binary min-heap of sources by their next run's expected start. */
class SlotHeap {
  private readonly items: Source[] = [];

  get size(): number {
    return this.items.length;
  }

  push(source: Source): void {
    const items = this.items;
    items.push(source);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent].head.expectedStart <= items[i].head.expectedStart) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop(): Source {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && items[left].head.expectedStart < items[smallest].head.expectedStart) smallest = left;
        if (right < items.length && items[right].head.expectedStart < items[smallest].head.expectedStart) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i], items[smallest]];
        i = smallest;
      }
    }
    return top;
  }
}
