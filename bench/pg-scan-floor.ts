/**
 * Whole-database floors for PostgreSQL (bench/scale.ts).
 *
 * The scan floor: every table of the public schema read once by a sequential scan, counting
 * its rows. Index scans are turned off for the
 * session so count(*) cannot answer from an index (or the visibility map) instead of the
 * table, and so are parallel workers, so that the server process read from /proc before and
 * after did all the work: its CPU time is the floor's whole CPU time.
 */
import {readFileSync} from 'node:fs';

import pg from 'pg';

export interface ScanFloor {
  wall: number;
  cpu: number;
  tables: number;
  rows: number;
}

function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function scanEveryTable(url: string): Promise<ScanFloor> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    for (const setting of ['enable_indexscan', 'enable_indexonlyscan', 'enable_bitmapscan']) await client.query(`set ${setting} = off`);
    await client.query('set max_parallel_workers_per_gather = 0');
    const {rows: tables} = await client.query<{name: string}>(
      `select quote_ident(relname) as name from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname`,
    );
    const backend = (client as unknown as {processID: number}).processID;
    const cpuBefore = processCpuMs(backend);
    const started = performance.now();
    let rows = 0;
    for (const {name} of tables) rows += Number((await client.query(`select count(*) as n from ${name}`)).rows[0].n);
    return {wall: performance.now() - started, cpu: processCpuMs(backend) - cpuBefore, tables: tables.length, rows};
  } finally {
    await client.end();
  }
}

/**
 * The check floor: PostgreSQL's own structural check of the whole database, the counterpart of
 * SQLite's quick_check. What pg_amcheck runs by default, in one session: amcheck's
 * verify_heapam on every table (page and tuple structure, TOAST) and bt_index_check on every
 * b-tree index (ordering within and between pages), with no lookups of index entries in their
 * tables. Installs the amcheck extension (contrib) in the database if it is missing: a bench
 * database only.
 */
export async function checkEveryRelation(url: string): Promise<ScanFloor> {
  const client = new pg.Client({connectionString: url});
  await client.connect();
  try {
    await client.query('create extension if not exists amcheck');
    await client.query('set max_parallel_workers_per_gather = 0');
    const {rows: relations} = await client.query<{oid: number; kind: string}>(
      `select c.oid, c.relkind as kind from pg_class c left join pg_index i on i.indexrelid = c.oid left join pg_am a on a.oid = c.relam
       where c.relnamespace = 'public'::regnamespace and (c.relkind in ('r', 'm') or (c.relkind = 'i' and a.amname = 'btree' and i.indisvalid))
       order by c.relkind desc, c.relname`,
    );
    const backend = (client as unknown as {processID: number}).processID;
    const cpuBefore = processCpuMs(backend);
    const started = performance.now();
    let problems = 0;
    for (const {oid, kind} of relations) {
      if (kind === 'i') await client.query('select bt_index_check($1::regclass)', [oid]);
      else problems += (await client.query('select count(*) as n from verify_heapam($1::regclass)', [oid])).rows[0].n * 1;
    }
    if (problems > 0) throw new Error(`verify_heapam reported ${problems} problems: the floor is meant for a sound database`);
    return {wall: performance.now() - started, cpu: processCpuMs(backend) - cpuBefore, tables: relations.length, rows: 0};
  } finally {
    await client.end();
  }
}
