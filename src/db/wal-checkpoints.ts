import type {Database} from './connection.js';

/**
 * SQLite runs its automatic WAL checkpoint inside the COMMIT that crosses the threshold: the
 * write lock is already free by then (a checkpoint does not block other writers), yet the
 * committing call waits for it, and on a busy disk its fsync can take seconds. Batched writes
 * turn it off for their connection and checkpoint between batches instead, as often as the
 * automatic one would: when the batches since the last checkpoint have written about its
 * threshold of pages, estimated from the pages per item the last checkpoint found.
 */
export interface Checkpoints {
  /** After a committed batch of `items`, outside its transaction. */
  afterBatch(items: number): Promise<void>;
  /** Gives the connection its own automatic checkpoints back. */
  restore(): Promise<void>;
}

const NONE: Checkpoints = {afterBatch: async () => {}, restore: async () => {}};

export async function checkpointBetweenBatches(db: Database): Promise<Checkpoints> {
  if (db.dialect !== 'sqlite') return NONE;
  const rows: Array<{wal_autocheckpoint: number}> = await db.knex.raw('pragma wal_autocheckpoint');
  const pages = Number(rows[0]?.wal_autocheckpoint ?? 1000);
  if (pages <= 0) return NONE;
  await db.knex.raw('pragma wal_autocheckpoint = 0');
  let itemsSince = 0;
  let pagesPerItem: number | undefined;
  return {
    async afterBatch(items) {
      itemsSince += items;
      if (pagesPerItem !== undefined && itemsSince * pagesPerItem < pages) return;
      // PASSIVE: copies what no reader still needs and never waits for a lock.
      const [state]: Array<{log: number}> = await db.knex.raw('pragma wal_checkpoint(PASSIVE)');
      const written = Number(state?.log ?? 0);
      pagesPerItem = written > 0 ? written / itemsSince : undefined;
      itemsSince = 0;
    },
    async restore() {
      await db.knex.raw(`pragma wal_autocheckpoint = ${pages}`);
    },
  };
}
