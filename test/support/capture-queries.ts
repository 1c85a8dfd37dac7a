import type {Knex} from 'knex';

/** A statement as the driver received it (native placeholders: ? on SQLite, $n on PostgreSQL). */
export interface CapturedQuery {
  sql: string;
  bindings: readonly unknown[];
}

/** Runs `action` and returns every statement Knex sent meanwhile, in order. */
export async function captureQueries(knex: Knex, action: () => Promise<unknown>): Promise<CapturedQuery[]> {
  const captured: CapturedQuery[] = [];
  const listener = (query: CapturedQuery) => captured.push({sql: query.sql, bindings: query.bindings ?? []});
  knex.on('query', listener);
  try {
    await action();
  } finally {
    knex.removeListener('query', listener);
  }
  return captured;
}
