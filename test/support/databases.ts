import {copyFileSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import pg from 'pg';

import type {Dialect} from '../../src/db/dialect.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/prefect-dbs/', import.meta.url));

/** The real databases written by real Prefect servers, by file name. */
export const PREFECT_FIXTURES = readdirSync(FIXTURE_DIR)
  .filter((name) => name.endsWith('.db'))
  .sort();

export const POSTGRES_ADMIN_URL = process.env.PREFECTDB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const tempDirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'prefectdb-test-'));
  tempDirs.push(dir);
  return dir;
}

/** Copies a fixture to a temp folder, so tests never touch the original. */
export function copyFixture(name: string): string {
  const target = path.join(tempDir(), name);
  copyFileSync(path.join(FIXTURE_DIR, name), target);
  return target;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, {recursive: true, force: true});
}

let postgresReachable: Promise<boolean> | undefined;

export function isPostgresReachable(): Promise<boolean> {
  postgresReachable ??= (async () => {
    const client = new pg.Client({connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000});
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return postgresReachable;
}

export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh, empty PostgreSQL database; drop() removes it whatever is connected. */
export async function createPostgresDatabase(label = 't'): Promise<{url: string; name: string; drop: () => Promise<void>}> {
  const name = `prefectdb_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  await adminQuery(`create database "${name}"`);
  return {
    name,
    url: withDatabaseName(POSTGRES_ADMIN_URL, name),
    drop: async () => {
      await adminQuery(`drop database if exists "${name}" with (force)`);
    },
  };
}

export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({connectionString: POSTGRES_ADMIN_URL});
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export type {Dialect};
