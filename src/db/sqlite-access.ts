import {accessSync, closeSync, constants, openSync, readFileSync, readSync, statSync} from 'node:fs';
import path from 'node:path';

import {unavailableError} from '../errors.js';

/**
 * How a read opens a SQLite file so that it works in a folder it may not write and leaves no
 * file behind. better-sqlite3 is built without URI filenames, so SQLite's `immutable` mode
 * is out of reach; an in-memory snapshot of the main file stands in for it.
 * - `readonly`: rollback-journal files, and WAL files whose -wal and -shm exist (a reader
 *   then creates nothing and sees what a live server committed).
 * - `query-only`: a WAL file whose side files are missing, in a folder and file that may be
 *   written: SQLite creates -wal/-shm while reading and, as the last connection, removes
 *   them on close. `PRAGMA query_only` refuses any write.
 * - `snapshot`: anything else (a read-only folder or file): the main file read into memory.
 *   A WAL holding changes is then ignored, and the caller says so.
 */
export type SqliteReadMode = {kind: 'readonly' | 'query-only'} | {kind: 'snapshot'; ignoredWalBytes: number};

export function sqliteReadMode(filename: string): SqliteReadMode {
  if (!inWalMode(filename)) return {kind: 'readonly'};
  const wal = sizeOf(`${filename}-wal`);
  const shm = sizeOf(`${filename}-shm`);
  if (wal !== undefined && shm !== undefined && readable(`${filename}-wal`) && readable(`${filename}-shm`)) return {kind: 'readonly'};
  if (sqliteWriteBlocker(filename) === undefined) return {kind: 'query-only'};
  return {kind: 'snapshot', ignoredWalBytes: wal ?? 0};
}

/** The main file as a buffer better-sqlite3 can open in memory: marked as a rollback-journal file, since memory has no WAL. */
export function sqliteSnapshot(filename: string): Buffer {
  const size = statSync(filename).size;
  if (size > MAX_SNAPSHOT_BYTES) {
    throw unavailableError(
      `cannot read ${filename} here: SQLite would need to create files beside it in a folder that cannot be written, and at ${size.toLocaleString('en-US')} bytes it is too large to read into memory instead (copy it to a writable folder, or give write access to its folder)`,
    );
  }
  const buffer = readFileSync(filename);
  // Bytes 18 and 19 of the header are the read and write format versions: 2 means WAL.
  if (buffer.length >= 100) buffer[18] = buffer[19] = 1;
  return buffer;
}

// Node reads at most 2 GiB into one buffer.
const MAX_SNAPSHOT_BYTES = 2 ** 31 - 1;

/**
 * Why prefectdb cannot write this SQLite file, or undefined when it can. Checked with the
 * process's own rights (root may write a mode-444 file; nobody writes a read-only mount).
 */
export function sqliteWriteBlocker(filename: string): string | undefined {
  const folder = path.dirname(path.resolve(filename));
  try {
    statSync(filename);
  } catch {
    return writable(folder) ? undefined : `its folder ${folder} is read-only, so the database file cannot be created there`;
  }
  if (!writable(filename)) return `the file is read-only (${readOnlyReason(filename)})`;
  const sideFilesWritable = [`${filename}-wal`, `${filename}-shm`].every((side) => sizeOf(side) !== undefined && writable(side));
  if (!sideFilesWritable && !writable(folder)) {
    return `its folder ${folder} is read-only, and SQLite needs to create ${path.basename(filename)}-wal and -shm there to write`;
  }
  return undefined;
}

function readOnlyReason(filename: string): string {
  try {
    accessSync(filename, constants.W_OK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EROFS') return 'read-only file system';
  }
  const mode = (statSync(filename).mode & 0o777).toString(8).padStart(4, '0');
  return `mode ${mode}`;
}

/** True when the header says WAL (write format version 2). */
export function inWalMode(filename: string): boolean {
  const header = Buffer.alloc(20);
  let fd: number | undefined;
  try {
    fd = openSync(filename, 'r');
    return readSync(fd, header, 0, 20, 0) === 20 && header[19] === 2;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
