import {createHash} from 'node:crypto';

import type {CopyEndpoint, RawRow} from '../../repositories/copy/endpoint.js';
import type {TablePlan} from './table-plans.js';

const PAGE_ROWS = 500;
const NAMED_ROWS = 20;

export interface TableComparison {
  source_checksum: string;
  target_checksum: string;
  /** Keys of rows missing, extra or different on the target (the first few). */
  differing: string[];
  differing_count: number;
}

/**
 * Walks both tables in key order side by side and compares every row's decoded values.
 * With `sourceRowsOnly` (--append), target rows the source does not have are not counted.
 */
export async function compareTable(source: CopyEndpoint, target: CopyEndpoint, plan: TablePlan, sourceRowsOnly: boolean): Promise<TableComparison> {
  const left = pages(source, plan);
  const right = pages(target, plan);
  const sourceHash = createHash('sha256');
  const targetHash = createHash('sha256');
  const result: TableComparison = {source_checksum: '', target_checksum: '', differing: [], differing_count: 0};
  const differ = (key: string) => {
    result.differing_count += 1;
    if (result.differing.length < NAMED_ROWS) result.differing.push(key);
  };
  let a = await left.next();
  let b = await right.next();
  while (a || b) {
    const aKey = a ? keyOf(a, plan) : undefined;
    const bKey = b ? keyOf(b, plan) : undefined;
    if (a && (bKey === undefined || aKey! < bKey)) {
      sourceHash.update(rowDigest(a, plan, source.dialect));
      differ(aKey!);
      a = await left.next();
    } else if (b && (aKey === undefined || bKey! < aKey)) {
      if (!sourceRowsOnly) {
        targetHash.update(rowDigest(b, plan, target.dialect));
        differ(bKey!);
      }
      b = await right.next();
    } else {
      const aDigest = rowDigest(a!, plan, source.dialect);
      const bDigest = rowDigest(b!, plan, target.dialect);
      sourceHash.update(aDigest);
      targetHash.update(bDigest);
      if (aDigest !== bDigest) differ(aKey!);
      a = await left.next();
      b = await right.next();
    }
  }
  result.source_checksum = sourceHash.digest('hex').slice(0, 16);
  result.target_checksum = targetHash.digest('hex').slice(0, 16);
  return result;
}

function keyOf(row: RawRow, plan: TablePlan): string {
  return String(row[plan.keyIndex]).toLowerCase();
}

function rowDigest(row: RawRow, plan: TablePlan, dialect: CopyEndpoint['dialect']): string {
  const values = plan.columns.map((column, i) => column.canonical(row[i], dialect));
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}

/** One row at a time, read a page at a time. */
function pages(endpoint: CopyEndpoint, plan: TablePlan): {next(): Promise<RawRow | undefined>} {
  let buffer: RawRow[] = [];
  let position = 0;
  let after: string | null = null;
  let done = false;
  return {
    async next() {
      if (position >= buffer.length) {
        if (done) return undefined;
        buffer = await endpoint.readPage(plan.name, plan.columns.map((c) => c.read), plan.key, after, PAGE_ROWS);
        position = 0;
        if (buffer.length < PAGE_ROWS) done = true;
        if (buffer.length === 0) return undefined;
        after = String(buffer[buffer.length - 1][plan.keyIndex]);
      }
      return buffer[position++];
    },
  };
}
