/**
 * What lossless JSON costs (issue 13): decoding and encoding every JSON value a seeded
 * database holds, through prefectdb's codec functions, against a floor measured in the same
 * run on the same texts — JSON.parse / JSON.stringify, which round big integers and drop
 * `.0`. Also shown: lossless-json's parser on every text (what prefectdb would cost without
 * its fast path), and the same texts with one 23-digit integer planted in each (every text
 * then takes the lossless path), and what reading SQLite integers exactly (bigints past 2^53)
 * costs a full-table read against the same read letting better-sqlite3 round them.
 *
 *   node --import tsx bench/json-numbers.ts
 *   BENCH_JSON_FLOW_RUNS=20000 node --import tsx bench/json-numbers.ts
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import {parse} from 'lossless-json';

import {jsonText, parseJsonText} from '../src/db/codecs/json-text.js';
import {openDatabase} from '../src/db/connection.js';
import {resolveDatabaseTarget} from '../src/db/url.js';
import {pythonJsonDumps} from '../src/db/codecs/python-json.js';
import {runCliOrFail} from './cli.js';
import {count, ms, printTable, ratio} from './measure.js';

const FLOW_RUNS = Number(process.env.BENCH_JSON_FLOW_RUNS ?? 5000);
const ROUNDS = Number(process.env.BENCH_JSON_ROUNDS ?? 5);

/** Every non-null JSON text of the seeded database's JSON columns. */
function jsonTexts(file: string): string[] {
  const db = new Database(file, {readonly: true});
  try {
    const columns = db
      .prepare(`select m.name as t, p.name as c from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and upper(p.type) = 'JSON'`)
      .all() as Array<{t: string; c: string}>;
    const texts: string[] = [];
    for (const {t, c} of columns) {
      const values = db.prepare(`select "${c}" from "${t}" where typeof("${c}") = 'text'`).pluck().all() as string[];
      texts.push(...values);
    }
    return texts;
  } finally {
    db.close();
  }
}

/** Median over rounds of one pass over every text. */
function timed(pass: () => void): number {
  pass();
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    pass();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

/** Every flow_run row through prefectdb's SQLite connection, with and without exact integers. */
async function readCost(file: string): Promise<{rows: number; exact: number; rounding: number}> {
  const db = await openDatabase(resolveDatabaseTarget(file));
  try {
    const all = () => db.knex('flow_run').select('*');
    const rows = (await all()).length;
    const sample = async (query: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let round = 0; round <= ROUNDS; round++) {
        const started = performance.now();
        await query();
        if (round > 0) samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
    };
    const exact = await sample(() => all());
    const rounding = await sample(() => all().options({safeIntegers: false}));
    return {rows, exact, rounding};
  } finally {
    await db.knex.destroy();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'prefectdb-bench-json-'));
  try {
    const file = path.join(dir, 'seeded.db');
    await runCliOrFail(['db', 'seed', '--db', file, '--flow-runs', String(FLOW_RUNS), '--seed', '5', '--json']);
    const texts = jsonTexts(file);
    const planted = texts.map((text) => (text.startsWith('{') && text.length > 2 ? `{"planted": 12345678901234567890123, ${text.slice(1)}` : text));
    const bytes = texts.reduce((sum, text) => sum + text.length, 0);
    const values = texts.map((text) => parseJsonText(text));

    const floorParse = timed(() => texts.forEach((text) => JSON.parse(text)));
    const ourParse = timed(() => texts.forEach((text) => parseJsonText(text)));
    const alwaysLossless = timed(() => texts.forEach((text) => parse(text)));
    const plantedParse = timed(() => planted.forEach((text) => parseJsonText(text)));
    const floorStringify = timed(() => values.forEach((value) => JSON.stringify(value)));
    const ourStringify = timed(() => values.forEach((value) => jsonText(value)));
    const ourDumps = timed(() => values.forEach((value) => pythonJsonDumps(value)));

    const read = await readCost(file);

    printTable(
      `JSON values of a ${count(FLOW_RUNS)}-run seeded database: ${count(texts.length)} texts, ${count(bytes)} characters (median of ${ROUNDS} passes)`,
      ['operation', 'time per pass', 'floor', 'ratio'],
      [
        ['decode: parseJsonText (lossless, fast path)', ms(ourParse), `JSON.parse ${ms(floorParse)}`, ratio(ourParse, floorParse)],
        ['decode: lossless-json parse on every text', ms(alwaysLossless), `JSON.parse ${ms(floorParse)}`, ratio(alwaysLossless, floorParse)],
        ['decode: parseJsonText, a 23-digit int in each', ms(plantedParse), `JSON.parse ${ms(floorParse)}`, ratio(plantedParse, floorParse)],
        ['encode output: jsonText (lossless-json)', ms(ourStringify), `JSON.stringify ${ms(floorStringify)}`, ratio(ourStringify, floorStringify)],
        ['encode storage: pythonJsonDumps', ms(ourDumps), `JSON.stringify ${ms(floorStringify)}`, ratio(ourDumps, floorStringify)],
        [`read ${count(read.rows)} flow_run rows (knex, exact integers)`, ms(read.exact), `rounding reads ${ms(read.rounding)}`, ratio(read.exact, read.rounding)],
      ],
    );
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

await main();
