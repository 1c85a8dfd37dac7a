import type {Knex} from 'knex';

import type {Database} from '../db/connection.js';
import {checkpointBetweenBatches} from '../db/wal-checkpoints.js';
import {LockPacing} from './lock-pacing.js';
import type {ProgressListener} from './progress.js';

/**
 * The one way multi-row changes reach the database (design §7): work is cut into bounded
 * batches, each its own short transaction (BEGIN IMMEDIATE on SQLite, so a live Prefect
 * server sharing the file waits at most one batch), and every batch re-reads what is left
 * to do, so an interrupted command finishes its job when it is run again.
 */

/** Hands out the next items to process; it keeps its own position between batches. */
export interface BatchSource<T> {
  next(trx: Knex.Transaction, size: number): Promise<T[]>;
}

/** A fixed list of items (ids given on the command line or stdin), in order. */
export function listSource<T>(items: readonly T[]): BatchSource<T> {
  let position = 0;
  return {
    async next(_trx, size) {
      const batch = items.slice(position, position + size);
      position += batch.length;
      return batch;
    },
  };
}

/**
 * Items read page by page in key order, after the last key of the previous page: the
 * selection is re-evaluated inside each batch's transaction, so it sees the database as it
 * is then, and a run that no longer matches (already changed) is not taken again.
 */
export function keysetSource<T>(select: (trx: Knex.Transaction, after: string | undefined, size: number) => Promise<T[]>, keyOf: (item: T) => string): BatchSource<T> {
  let after: string | undefined;
  let exhausted = false;
  return {
    async next(trx, size) {
      if (exhausted) return [];
      const page = await select(trx, after, size);
      if (page.length < size) exhausted = true;
      if (page.length > 0) after = keyOf(page[page.length - 1]);
      return page;
    },
  };
}

export interface BatchOptions<T> {
  db: Database;
  source: BatchSource<T>;
  /** Changes one batch; it runs inside the batch's transaction. */
  apply(trx: Knex.Transaction, items: T[]): Promise<void>;
  /** Most items in one transaction (default 500). */
  batchSize?: number;
  /** Fewest items `apply` is given at once, however slow they are (default 10). */
  minBatchSize?: number;
  /** The longest a batch may hold the write lock (default 500 ms): see lock-pacing.ts. */
  targetBatchMs?: number;
  /**
   * Pause after each committed batch, in milliseconds (default 0). On SQLite a process waiting
   * for the write lock polls with back-off (up to 100 ms apart); without a gap the next batch
   * would take the lock again before a live server's writer ever sees it free.
   */
  pauseBetweenBatchesMs?: number;
  /** Stop after this many items in all. */
  limit?: number;
  /** Run every batch and roll it back: what a dry run reports is what the real run would do. */
  dryRun?: boolean;
  /** Hears how many items are done after each batch, against the expected total. */
  progress?: {listener: ProgressListener; label: string; total?: number; unit: string};
}

export interface BatchReport {
  items: number;
  batches: number;
  /** The longest time one batch's transaction was open, in milliseconds. */
  longestBatchMs: number;
}

class DryRunRollback extends Error {}

export async function runInBatches<T>(options: BatchOptions<T>): Promise<BatchReport> {
  const maxSize = options.batchSize ?? 500;
  const minSize = Math.min(options.minBatchSize ?? 10, maxSize);
  const targetMs = options.targetBatchMs ?? 500;
  const progress = options.progress;
  const tell = (done: number) => progress?.listener({label: progress.label, done, total: progress.total, unit: progress.unit});
  tell(0);
  const report: BatchReport = {items: 0, batches: 0, longestBatchMs: 0};
  const pacing = new LockPacing({minSize, maxSize, targetMs});
  const otherWriters = new OtherWriters();
  const checkpoints = await checkpointBetweenBatches(options.db);
  try {
    for (;;) {
      const room = options.limit === undefined ? maxSize : Math.min(maxSize, options.limit - report.items);
      if (room <= 0) break;
      const started = performance.now();
      let chunksDone = started;
      const batch = await inTransaction(options.db, async (trx) => {
        if (options.db.dialect === 'sqlite') await otherWriters.check(trx);
        const taken = await takeChunks(trx, options, pacing, room);
        chunksDone = performance.now();
        return taken;
      }, {rollback: options.dryRun});
      const ended = performance.now();
      const elapsed = ended - started;
      if (batch.taken === 0) break;
      pacing.recordCommit(ended - chunksDone, batch.taken);
      if (!options.dryRun) await checkpoints.afterBatch(batch.taken);
      report.items += batch.taken;
      report.batches += 1;
      report.longestBatchMs = Math.max(report.longestBatchMs, elapsed);
      tell(report.items);
      if (batch.exhausted || report.items === options.limit) break;
      // A caller's fixed pause replaces the automatic one.
      if (options.pauseBetweenBatchesMs) await new Promise((resolve) => setTimeout(resolve, options.pauseBetweenBatchesMs));
      else if (otherWriters.seen) await pauseForOtherWriters(elapsed);
    }
  } finally {
    await checkpoints.restore();
  }
  return report;
}

/**
 * One batch's work inside its transaction: chunk after chunk, each continuing where the
 * source stopped, while the pacing says the next one still fits. Every chunk is a complete
 * `apply` of its items, so whatever commits is a complete unit of work. The plan counts from
 * the lock taken, not from the wait for it.
 */
export async function takeChunks<T>(
  trx: Knex.Transaction,
  work: Pick<BatchOptions<T>, 'source' | 'apply'>,
  pacing: LockPacing,
  room: number,
  clock: () => number = () => performance.now(),
): Promise<{taken: number; exhausted: boolean}> {
  const locked = clock();
  let taken = 0;
  let size = pacing.chunkSize(room);
  for (;;) {
    const chunkStarted = clock();
    const items = await work.source.next(trx, size);
    if (items.length > 0) await work.apply(trx, items);
    const now = clock();
    pacing.record(now - chunkStarted, items.length);
    taken += items.length;
    if (items.length < size) return {taken, exhausted: true};
    if (taken >= room) return {taken, exhausted: false};
    size = pacing.chunkSize(room - taken, now - locked, taken);
    if (!pacing.mayTakeChunk(now - locked, taken, size)) return {taken, exhausted: false};
  }
}

/**
 * Whether another connection writes to the SQLite file while we work (a live Prefect
 * server): SQLite's data_version changes for a connection when someone else commits.
 */
class OtherWriters {
  seen = false;
  private last: number | undefined;

  async check(trx: Knex.Transaction): Promise<void> {
    const rows: Array<{data_version: number}> = await trx.raw('pragma data_version');
    const version = Number(rows[0]?.data_version);
    if (this.last !== undefined && version !== this.last) this.seen = true;
    this.last = version;
  }
}

/**
 * SQLite hands its write lock to no one in particular: a writer waiting on busy_timeout
 * polls at growing intervals (up to 100 ms) and loses every race to a loop that begins its
 * next transaction the moment it commits. So once another writer has shown itself, each
 * batch is followed by a pause of a third of its own time (at most 100 ms), long enough for
 * the waiting writer's next poll; alone on the file, batches follow each other at once.
 */
async function pauseForOtherWriters(batchMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.min(100, batchMs / 3)));
}

/**
 * One transaction: BEGIN IMMEDIATE on SQLite (see db/sqlite-client.ts), an ordinary one on
 * PostgreSQL. With `rollback`, the work runs and is then undone — for dry runs.
 */
export async function inTransaction<R>(db: Database, work: (trx: Knex.Transaction) => Promise<R>, options: {rollback?: boolean} = {}): Promise<R> {
  if (!options.rollback) return db.knex.transaction(work);
  let result: R | undefined;
  try {
    await db.knex.transaction(async (trx) => {
      result = await work(trx);
      throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return result as R;
}
