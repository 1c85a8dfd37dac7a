/**
 * A whole-database floor for PostgreSQL (bench/scale.ts): every table of the public schema
 * read once by a sequential scan, counting its rows. Index scans are turned off for the
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
