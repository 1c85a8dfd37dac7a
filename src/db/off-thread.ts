import {createRequire} from 'node:module';
import {Worker} from 'node:worker_threads';

import type {Database} from './connection.js';
import {sqliteBindings} from './row-stream.js';

type Row = Record<string, unknown>;

/**
 * The worker's whole program, as a CommonJS script: it opens the file as the pool did, runs
 * the one statement and hands its rows back. Kept free of the project's modules so it runs
 * the same from the built package and from the TypeScript sources under test.
 */
const READER = `
const {parentPort, workerData} = require('node:worker_threads');
const Sqlite = require(workerData.driver);
const conn = new Sqlite(workerData.path, {readonly: workerData.readonly});
try {
  for (const pragma of workerData.pragmas) conn.pragma(pragma);
  if (!workerData.readonly) conn.pragma('query_only = ON');
  parentPort.postMessage({rows: conn.prepare(workerData.sql).safeIntegers(true).all(...workerData.bindings)});
} catch (error) {
  parentPort.postMessage({error: error && error.message ? error.message : String(error)});
} finally {
  conn.close();
}
`;

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Reads one long-running SQLite statement (a whole-file pragma, a whole-table count) on a connection of its own in
 * a worker thread, so this thread goes on with other work meanwhile: better-sqlite3 blocks
 * the thread it runs on for the whole statement. Integers come back exactly (a number when
 * one holds them, else a bigint). Undefined when the file cannot be opened a second time
 * (PostgreSQL, or an in-memory snapshot): the caller reads on its own connection then.
 */
export function readOffThread(db: Database, sql: string, bindings: readonly unknown[] = [], signal?: AbortSignal): Promise<Row[]> | undefined {
  const file = db.sqliteFile;
  if (db.dialect !== 'sqlite' || !file) return undefined;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve, reject) => {
    const worker = new Worker(READER, {eval: true, workerData: {driver, path: file.path, readonly: file.readonly, pragmas: file.pragmas, sql, bindings: sqliteBindings(bindings)}});
    // Given up on (the work it was part of failed): the thread must not keep the process alive.
    const stop = () => void worker.terminate();
    signal?.addEventListener('abort', stop, {once: true});
    worker.once('exit', () => signal?.removeEventListener('abort', stop));
    let settled = false;
    worker.once('message', (message: {rows?: Row[]; error?: string}) => {
      settled = true;
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve((message.rows ?? []).map(exactIntegers));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the reader thread for "${sql}" stopped (exit code ${code}) before answering`));
    });
  });
}

function exactIntegers(row: Row): Row {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint' && value <= MAX_EXACT && value >= -MAX_EXACT) row[key] = Number(value);
  }
  return row;
}
