/**
 * How long one batch keeps its transaction (and on SQLite the file's one write lock) open.
 * A batch is not sized up front: it takes its items in chunks, and before each chunk asks
 * whether that chunk and the commit after it, at the costs measured so far, would still end
 * within half the lock budget. So a batch plans at most half its budget, and a chunk slower
 * than predicted (cold pages, a busy disk) overruns the plan by itself only: a chunk is planned
 * at an eighth of the budget, so it may run five times slower than measured before the batch
 * exceeds its budget, where a pre-sized batch survived only twice its prediction. Where a call
 * has a large fixed cost, chunks are planned larger (see FIXED_COST_MULTIPLE) and tolerate less.
 */

export interface PacingLimits {
  /** Smallest chunk (never fewer items, however slow they are). */
  minSize: number;
  /** Most items in one batch. */
  maxSize: number;
  /** The longest a batch may hold the lock, in milliseconds. */
  targetMs: number;
}

/** Items in the first chunk of a run, before any cost is measured. */
export const FIRST_CHUNK_SIZE = 16;

/** A batch stops before a chunk that would end past this share of the budget. */
const PLANNED_SHARE = 1 / 2;

/**
 * A chunk's planned share of the budget. Smaller tolerates larger surprises, but every chunk
 * pays its work's fixed cost per call (the engine's lookups, one statement per table).
 */
const CHUNK_SHARE = 1 / 8;

/**
 * A chunk is planned at least this many times its fixed cost per call, so that the fixed cost
 * stays a third of the time at most: where it is large (PostgreSQL plans each statement anew,
 * tens of milliseconds for a delete's), chunks grow, and fewer of them fit in a batch.
 */
const FIXED_COST_MULTIPLE = 3;

/** The most a chunk tried at twice the last size may be predicted to take, as a share of the budget. */
const EXPLORING_SHARE = 1 / 4;

export class LockPacing {
  private readonly cost = new ChunkCost();
  /** A commit writes the batch's pages (SQLite: to the WAL), so it grows with the batch. */
  private readonly commitCost = new ItemCost();
  private lastChunk: number | undefined;

  constructor(private readonly limits: PacingLimits) {}

  /**
   * The next chunk's size, at most `room`, for a batch open for `elapsedMs` with `taken` items.
   * While the recent chunks are too alike in size to tell the fixed cost apart, a batch opens
   * with a chunk twice the last when even the pessimistic prediction (no fixed cost: all of it
   * per item) gives it a quarter of the budget at most: it then tolerates a fourfold surprise
   * (twofold when chunks are stuck at the minimum size).
   */
  chunkSize(room: number, elapsedMs = 0, taken = 0): number {
    const {minSize, maxSize, targetMs} = this.limits;
    const perItemMs = this.cost.perItemMs;
    if (perItemMs === undefined || this.lastChunk === undefined) return Math.max(1, Math.min(Math.max(minSize, FIRST_CHUNK_SIZE), maxSize, room));
    if (!this.cost.fitted && elapsedMs === 0 && taken === 0) {
      const doubled = Math.min(this.lastChunk * 2, maxSize, room);
      // Stuck at the minimum, where a fixed cost passed for a cost per item hides most often, it may take up to the plan.
      const share = this.lastChunk <= minSize ? PLANNED_SHARE : EXPLORING_SHARE;
      if (doubled * perItemMs + this.cost.fixedMs <= targetMs * share) return doubled;
    }
    const chunkMs = Math.min(targetMs * PLANNED_SHARE, Math.max(targetMs * CHUNK_SHARE, this.cost.fixedMs * FIXED_COST_MULTIPLE));
    const fitting = perItemMs > 0 ? Math.floor((chunkMs - this.cost.fixedMs) / perItemMs) : maxSize;
    // Growth is capped so that one lucky chunk cannot make the next one huge.
    const size = Math.max(minSize, Math.min(this.lastChunk * 2, fitting));
    return Math.max(1, Math.min(size, maxSize, room));
  }

  /** A chunk of `items` took `elapsedMs`. */
  record(elapsedMs: number, items: number): void {
    if (items <= 0) return;
    this.cost.record(elapsedMs, items);
    this.lastChunk = items;
  }

  /** A batch of `items` took `elapsedMs` to commit. */
  recordCommit(elapsedMs: number, items: number): void {
    if (items > 0) this.commitCost.record(elapsedMs, items);
  }

  /** Whether a batch open for `elapsedMs` with `taken` items may take a chunk of `size` more. */
  mayTakeChunk(elapsedMs: number, taken: number, size: number): boolean {
    const commitMs = (taken + size) * (this.commitCost.perItemMs ?? 0);
    return elapsedMs + this.cost.predict(size) + commitMs <= this.limits.targetMs * PLANNED_SHARE;
  }
}

/**
 * What a chunk costs: a fixed part per call and a part per item. The fixed part is fitted
 * (least squares, older chunks weighing less) whenever recent chunks differ enough in size to
 * tell the two apart, and kept otherwise; the part per item follows what remains.
 */
export class ChunkCost {
  fixedMs = 0;
  /** Whether the recent chunks differed enough in size to give the fixed part. */
  fitted = false;
  private readonly item = new ItemCost();
  private sums = {w: 0, x: 0, y: 0, xx: 0, xy: 0};

  get perItemMs(): number | undefined {
    return this.item.perItemMs;
  }

  record(elapsedMs: number, items: number): void {
    const s = this.sums;
    const decay = 0.75;
    this.sums = {w: s.w * decay + 1, x: s.x * decay + items, y: s.y * decay + elapsedMs, xx: s.xx * decay + items * items, xy: s.xy * decay + items * elapsedMs};
    const {w, x, y, xx, xy} = this.sums;
    const meanX = x / w;
    const varianceX = xx / w - meanX * meanX;
    const slope = varianceX > (meanX * 0.2) ** 2 ? (xy / w - meanX * (y / w)) / varianceX : 0;
    this.fitted = slope > 0;
    if (slope > 0) {
      // The fit is itself smoothed; this chunk, if slower, still counts at once.
      this.fixedMs = Math.min(Math.max(0, y / w - slope * meanX), elapsedMs);
      this.item.perItemMs = Math.max(slope, (elapsedMs - this.fixedMs) / items);
    } else this.item.record(Math.max(elapsedMs - this.fixedMs, elapsedMs * 0.05), items);
  }

  predict(items: number): number {
    return this.fixedMs + items * (this.item.perItemMs ?? 0);
  }
}

/**
 * What one item costs, in milliseconds, as measured so far. It follows a slower chunk at once
 * and a faster one only halfway, so one lucky chunk cannot inflate the next.
 */
export class ItemCost {
  perItemMs: number | undefined;

  record(elapsedMs: number, items: number): number {
    const measured = elapsedMs / Math.max(1, items);
    this.perItemMs = this.perItemMs === undefined || measured > this.perItemMs ? measured : (this.perItemMs + measured) / 2;
    return this.perItemMs;
  }
}
