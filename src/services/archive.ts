import {appendFileSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {gzipSync} from 'node:zlib';

import {jsonText} from '../db/codecs/json-text.js';
import {decodeRow, type RepositoryContext} from '../repositories/common.js';

/**
 * `db clean --archive DIR`: rows about to be deleted, written first as JSON Lines, one
 * `TABLE.jsonl.gz` per table, every column decoded as the JSON output decodes it. Each batch
 * appends its own gzip member (gzip readers read concatenated members as one stream) before its
 * transaction commits, so rows that are deleted are always archived already, and a re-run after an
 * interruption appends rather than overwrites.
 */
export class RowArchive {
  readonly counts: Record<string, number> = {};
  private pending = new Map<string, string[]>();

  constructor(
    private readonly ctx: RepositoryContext,
    private readonly dir: string,
  ) {
    mkdirSync(dir, {recursive: true});
  }

  /** Collects rows of one batch (raw, as the driver returned them). */
  readonly add = (table: string, rows: Array<Record<string, unknown>>): void => {
    const lines = this.pending.get(table) ?? [];
    for (const row of rows) lines.push(jsonText(decodeRow(this.ctx, table, row)));
    this.pending.set(table, lines);
  };

  /** Writes what the batch collected; call before its transaction commits. */
  flush(): void {
    for (const [table, lines] of this.pending) {
      if (lines.length === 0) continue;
      appendFileSync(path.join(this.dir, `${table}.jsonl.gz`), gzipSync(lines.join('\n') + '\n'));
      this.counts[table] = (this.counts[table] ?? 0) + lines.length;
    }
    this.pending.clear();
  }

  /** Forgets what a rolled-back batch collected. */
  discard(): void {
    this.pending.clear();
  }
}
