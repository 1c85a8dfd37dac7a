import type {Database} from './connection.js';

/**
 * SQLite runs its automatic WAL checkpoint inside the COMMIT that crosses the threshold: the
 * write lock is already free by then (a checkpoint does not block other writers), yet the
 * committing call waits for it, and on a busy disk its fsync can take seconds. Batched writes
 * turn it off for their connection and checkpoint between batches instead, so a batch's time
 * is the time it held the lock, and the sizing that follows it is not thrown by a checkpoint.
 */
export interface Checkpoints {
  /** After a committed batch, outside its transaction. */
  afterBatch(): Promise<void>;
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
  return {
    async afterBatch() {
      // PASSIVE: copies what no reader still needs and never waits for a lock.
      await db.knex.raw('pragma wal_checkpoint(PASSIVE)');
    },
    async restore() {
      await db.knex.raw(`pragma wal_autocheckpoint = ${pages}`);
    },
  };
}
