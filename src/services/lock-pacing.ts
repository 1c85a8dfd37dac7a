/**
 * How long one batch keeps its transaction (and on SQLite the file's one write lock) open.
 * A batch is not sized up front: it takes its items in small chunks, and before each chunk
 * asks whether that chunk and the commit after it, at the costs per item measured so far,
 * would still end within half the lock budget. So a batch plans at most half its budget, and
 * a chunk that turns out
 * slower than predicted (cold pages, a busy disk) overruns the plan by one chunk only: a
 * chunk is planned at an eighth of the budget, so it may run five times slower than measured
 * before the batch exceeds its budget. A pre-sized batch survived only twice its prediction.
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
export const PLANNED_SHARE = 1 / 2;

/**
 * A chunk's planned share of the budget. Smaller tolerates larger surprises, but every chunk
 * pays its work's fixed cost per call (the engine's lookups, one statement per table).
 */
export const CHUNK_SHARE = 1 / 8;

export class LockPacing {
  private readonly cost = new ItemCost();
  /** A commit writes the batch's pages (SQLite: to the WAL), so it grows with the batch. */
  private readonly commitCost = new ItemCost();
  private lastChunk: number | undefined;

  constructor(private readonly limits: PacingLimits) {}

  /** The next chunk's size, at most `room`. */
  chunkSize(room: number): number {
    const {minSize, maxSize, targetMs} = this.limits;
    const perItemMs = this.cost.perItemMs;
    let size: number;
    if (perItemMs === undefined || this.lastChunk === undefined) size = Math.max(minSize, FIRST_CHUNK_SIZE);
    else {
      const fitting = perItemMs > 0 ? Math.floor((targetMs * CHUNK_SHARE) / perItemMs) : maxSize;
      // Growth is capped so that one lucky chunk cannot make the next one huge.
      size = Math.max(minSize, Math.min(this.lastChunk * 2, fitting));
    }
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
    const chunkMs = size * (this.cost.perItemMs ?? 0);
    const commitMs = (taken + size) * (this.commitCost.perItemMs ?? 0);
    return elapsedMs + chunkMs + commitMs <= this.limits.targetMs * PLANNED_SHARE;
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
