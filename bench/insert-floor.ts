import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * The floor for seeding: the rows `db seed` wrote, copied into an empty schema of the same
 * revision with plain multi-row INSERTs through the bare driver — prepared statements of
 * up to 500 rows, ~25,000 rows per transaction, foreign-key checks off (SQLite) or
 * replica mode (PostgreSQL). Reading the source is timed separately and subtracted.
 */
export interface FloorResult {
  rows: number;
  insertMs: number;
  readMs: number;
}

// Parents before children, so the copy also works with checks on.
export const SEEDED_TABLES = [
  'flow', 'work_pool', 'work_queue', 'worker', 'deployment', 'deployment_schedule',
  'flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'artifact_collection',
];

const ROWS_PER_STATEMENT = 500;
const ROWS_PER_TRANSACTION = 25_000;

export function sqliteInsertFloor(sourceFile: string, emptySchemaFile: string): FloorResult {
  const source = new Database(sourceFile, {readonly: true});
  const target = new Database(emptySchemaFile);
  target.pragma('journal_mode = WAL');
  target.pragma('synchronous = NORMAL');
  target.pragma('foreign_keys = OFF');
  try {
    const readStarted = performance.now();
    for (const table of SEEDED_TABLES) for (const _row of source.prepare(`select * from "${table}"`).raw().iterate()) void _row;
    const readMs = performance.now() - readStarted;

    let rows = 0;
    const started = performance.now();
    target.exec('begin');
    let inTransaction = 0;
    for (const table of SEEDED_TABLES) {
      const columns = (source.prepare(`select name from pragma_table_info(?)`).pluck().all(table) as string[]);
      const perStatement = Math.min(ROWS_PER_STATEMENT, Math.floor(32_766 / columns.length));
      const insertSql = (n: number) =>
        `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ` +
        Array(n).fill(`(${columns.map(() => '?').join(', ')})`).join(', ');
      const full = target.prepare(insertSql(perStatement));
      let buffer: unknown[] = [];
      let buffered = 0;
      const flush = () => {
        if (buffered === 0) return;
        (buffered === perStatement ? full : target.prepare(insertSql(buffered))).run(buffer);
        rows += buffered;
        inTransaction += buffered;
        buffer = [];
        buffered = 0;
        if (inTransaction >= ROWS_PER_TRANSACTION) {
          target.exec('commit; begin');
          inTransaction = 0;
        }
      };
      for (const row of source.prepare(`select ${columns.map((c) => `"${c}"`).join(', ')} from "${table}"`).raw().iterate() as Iterable<unknown[]>) {
        for (const value of row) buffer.push(value);
        if (++buffered === perStatement) flush();
      }
      flush();
    }
    target.exec('commit');
    return {rows, insertMs: performance.now() - started - readMs, readMs};
  } finally {
    source.close();
    target.close();
  }
}

export async function postgresInsertFloor(sourceUrl: string, emptySchemaUrl: string): Promise<FloorResult> {
  const source = new pg.Client({connectionString: sourceUrl});
  const target = new pg.Client({connectionString: emptySchemaUrl});
  await source.connect();
  await target.connect();
  try {
    // Values travel as text both ways, so nothing is re-encoded in JavaScript.
    const pages = async function* (table: string, columns: string[]) {
      let after: string | null = null;
      for (;;) {
        const result: pg.QueryResult = await source.query({
          text: `select id::text as "__id", ${columns.map((c) => `"${c}"::text`).join(', ')} from "${table}" ${after ? 'where id > $1' : ''} order by id limit 5000`,
          values: after ? [after] : [],
          rowMode: 'array',
        });
        if (result.rows.length === 0) return;
        after = (result.rows[result.rows.length - 1] as unknown[])[0] as string;
        yield (result.rows as unknown[][]).map((row) => row.slice(1));
      }
    };
    const columnsOf = async (table: string) =>
      (await source.query(`select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position`, [table])).rows.map((r) => r.column_name as string);

    const readStarted = performance.now();
    for (const table of SEEDED_TABLES) for await (const _page of pages(table, await columnsOf(table))) void _page;
    const readMs = performance.now() - readStarted;

    let rows = 0;
    let readDuringCopy = 0;
    const started = performance.now();
    await target.query('begin');
    await target.query('set local session_replication_role = replica');
    let inTransaction = 0;
    for (const table of SEEDED_TABLES) {
      const columns = await columnsOf(table);
      const perStatement = Math.min(ROWS_PER_STATEMENT, Math.floor(65_535 / columns.length));
      const pageIterator = pages(table, columns);
      for (;;) {
        const readAt = performance.now();
        const next = await pageIterator.next();
        readDuringCopy += performance.now() - readAt;
        if (next.done) break;
        for (let start = 0; start < next.value.length; start += perStatement) {
          const chunk = next.value.slice(start, start + perStatement);
          const tuples = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
          await target.query(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`, chunk.flat());
          rows += chunk.length;
          inTransaction += chunk.length;
          if (inTransaction >= ROWS_PER_TRANSACTION) {
            await target.query('commit');
            await target.query('begin');
            await target.query('set local session_replication_role = replica');
            inTransaction = 0;
          }
        }
      }
    }
    await target.query('commit');
    return {rows, insertMs: performance.now() - started - readDuringCopy, readMs};
  } finally {
    await source.end();
    await target.end();
  }
}
