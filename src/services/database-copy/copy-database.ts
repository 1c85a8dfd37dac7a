import type {Database} from '../../db/connection.js';
import type {SchemaInfo} from '../../db/schema-info.js';
import {refusedError, unavailableError} from '../../errors.js';
import type {CopyEndpoint, LiveColumn, RawRow, RejectedRow} from '../../repositories/copy/endpoint.js';
import {assertSameColumns, describeRelease, prefectTables, targetRevisionFor} from './schema-pairing.js';
import {copyOrder} from './table-order.js';
import {type TablePlan, tablePlan} from './table-plans.js';
import {compareTable, type TableComparison} from './verify-rows.js';
import {position, type ProgressListener} from '../progress.js';

export type CopyMode = 'fresh' | 'append' | 'resume';

export interface CopyRequest {
  source: {db: Database; schema: SchemaInfo};
  /** No `db` only for a dry run into a SQLite file that does not exist yet. */
  target: {db?: Database; schema: SchemaInfo};
  mode: CopyMode;
  verify: boolean;
  dryRun: boolean;
  /** Hears each step with its place in the whole: table k of n, pointers, indexes, verify. */
  onProgress?: ProgressListener;
  /** Asked before rows go into a target that already holds some (--append). */
  confirm(question: string): Promise<void>;
}

export interface TableCount {
  source: number;
  copied: number;
  skipped: number;
}

export interface CopyReport {
  tables: Record<string, TableCount>;
  verified: boolean;
  dry_run: boolean;
  rejected: RejectedRow[];
  /** With --verify: per table, checksums of decoded values and the rows that differ. */
  checksums?: Record<string, TableComparison>;
  /** Tables whose row counts do not add up after the copy. */
  count_mismatches: string[];
}

const ALEMBIC = 'alembic_version';
// Rows per read and per target transaction; a page of the widest table stays a few MB.
const PAGE_ROWS = 500;

/**
 * Copies every Prefect table of one database into another, either dialect to either: rows
 * streamed in key order a page at a time, parents before children, circular pointers
 * filled last, each page committed on its own so an interrupted copy can be resumed.
 */
export async function copyDatabase(request: CopyRequest): Promise<CopyReport> {
  const {source, target} = request;
  source.schema.assertPrefect();
  const sourceRevision = source.schema.revision;
  if (!sourceRevision) throw unavailableError('the source has an empty alembic_version table: it is not a complete Prefect database');
  const sourceSide = {dialect: source.db.dialect, revision: sourceRevision};

  const targetHasTables = [...target.schema.columns.keys()].some((t) => !t.startsWith('prefectdb_'));
  if (!targetHasTables) {
    const revision = await emptyTargetRevision(sourceSide, target.schema.dialect);
    if (request.dryRun || !target.db) return sourceCountsOnly(source.db, request.dryRun);
    await buildTargetSchema(target.db, revision);
  } else if (target.schema.kind !== 'prefect') {
    throw refusedError('the target holds tables but is not a Prefect database (no alembic_version): copy into an empty database or a new SQLite file');
  }

  if (!target.db) return sourceCountsOnly(source.db, request.dryRun);
  const {openCopyEndpoint} = await import('../../repositories/copy/open.js');
  const from = await openCopyEndpoint(source.db, 'source');
  let to: CopyEndpoint | undefined;
  try {
    to = await openCopyEndpoint(target.db, 'target');
    return await copyBetween(request, from, to, sourceSide);
  } finally {
    await from.release();
    await to?.release();
  }
}

async function copyBetween(
  request: CopyRequest,
  from: CopyEndpoint,
  to: CopyEndpoint,
  sourceSide: {dialect: CopyEndpoint['dialect']; revision: string},
): Promise<CopyReport> {
  const sourceTables = prefectTables(await from.tables());
  const report = emptyReport(request.dryRun);
  const targetTables = prefectTables(await to.tables());
  const targetStamp = targetTables.has(ALEMBIC) ? await readRevision(to) : null;
  const targetRevision = targetRevisionFor(sourceSide, {dialect: to.dialect, revision: targetStamp});
  assertSameColumns(sourceTables, targetTables, sourceSide);

  const holding: string[] = [];
  for (const table of targetTables.keys()) if (table !== ALEMBIC && (await to.hasRows(table))) holding.push(table);
  const fingerprint = await sourceFingerprint(from, sourceSide.revision);
  await checkTargetContents(request, to, holding, fingerprint, from, sourceTables);

  const order = copyOrder([...sourceTables.keys()].filter((t) => t !== ALEMBIC), targetTables, await to.foreignKeys());
  const plans = new Map<string, TablePlan>();
  for (const table of order.tables) {
    const deferred = order.deferred.filter((fk) => fk.table === table).map((fk) => fk.column);
    plans.set(table, tablePlan(table, sourceTables.get(table)!, targetTables.get(table)!, {source: from.dialect, target: to.dialect}, deferred));
  }

  if (request.dryRun) {
    for (const table of [...sourceTables.keys()].sort()) report.tables[table] = await predictedCount(from, to, table, request.mode);
    return report;
  }

  const tracked = request.mode !== 'append';
  if (tracked) {
    await to.writeBookkeeping(fingerprint);
    // Built once at the end instead of row by row; their definitions wait in the marker table.
    await to.deferIndexes(order.tables);
  }
  const tell = request.onProgress ?? (() => undefined);
  for (const [index, table] of order.tables.entries()) {
    const label = `table ${position(index + 1, order.tables.length)}: ${table}`;
    report.tables[table] = await copyTable(request, from, to, plans.get(table)!, report.rejected, (done, total) => tell({label, done, total, unit: 'rows'}));
  }
  for (const [index, fk] of order.deferred.entries()) {
    tell({label: `pointer ${position(index + 1, order.deferred.length)}: ${fk.table}.${fk.column}`});
    report.rejected.push(...(await fillPointers(from, to, plans.get(fk.table)!, fk.column)));
  }
  tell({label: 'checking foreign keys'});
  await removeDanglingRows(to, report);
  if (tracked) await to.restoreIndexes((done, total) => tell({label: 'rebuilding indexes', done, total, unit: 'indexes'}));
  if (tracked) await to.replaceRevision(targetRevision);
  report.tables[ALEMBIC] = {source: await from.count(ALEMBIC), copied: tracked ? 1 : 0, skipped: tracked ? 0 : 1};
  if (to.dialect === 'postgres') tell({label: 'analyzing the target'});
  await to.analyze();

  tell({label: 'comparing row counts'});
  for (const table of order.tables) {
    const counts = report.tables[table];
    const onTarget = await to.count(table);
    const adds = counts.copied + counts.skipped === counts.source;
    if (!adds || (request.mode === 'append' ? onTarget < counts.source : onTarget !== counts.source)) report.count_mismatches.push(table);
  }
  let rowsMatch = true;
  if (request.verify) {
    report.checksums = {};
    for (const [index, table] of order.tables.entries()) {
      tell({label: `verifying table ${position(index + 1, order.tables.length)}: ${table}`});
      const comparison = await compareTable(from, to, plans.get(table)!, request.mode === 'append');
      report.checksums[table] = comparison;
      if (comparison.differing_count > 0) rowsMatch = false;
    }
  }
  report.verified = report.count_mismatches.length === 0 && report.rejected.length === 0 && rowsMatch;
  if (tracked && report.verified) await to.dropBookkeeping();
  report.tables = Object.fromEntries(Object.entries(report.tables).sort(([a], [b]) => a.localeCompare(b)));
  return report;
}

/**
 * A target that loaded without foreign-key checks may hold rows whose parent the source
 * lacked: they are reported and taken out, as a checking target would have refused them.
 */
async function removeDanglingRows(target: CopyEndpoint, report: CopyReport): Promise<void> {
  const dangling = await target.foreignKeyViolations();
  const byTable = new Map<string, Set<string>>();
  for (const row of dangling) byTable.set(row.table, (byTable.get(row.table) ?? new Set()).add(row.id));
  for (const [table, ids] of byTable) {
    await target.deleteRows(table, 'id', [...ids]);
    if (report.tables[table]) report.tables[table].copied -= ids.size;
  }
  report.rejected.push(...dangling);
}

function emptyReport(dryRun: boolean): CopyReport {
  return {tables: {}, verified: false, dry_run: dryRun, rejected: [], count_mismatches: []};
}

/** A dry run into a database that would be built first: the source's counts are the plan. */
async function sourceCountsOnly(source: Database, dryRun: boolean): Promise<CopyReport> {
  const {openCopyEndpoint} = await import('../../repositories/copy/open.js');
  const from = await openCopyEndpoint(source, 'source');
  try {
    const report = emptyReport(dryRun);
    const tables = [...prefectTables(await from.tables()).keys()].sort();
    for (const table of tables) report.tables[table] = await predictedCount(from, undefined, table, 'fresh');
    return report;
  } finally {
    await from.release();
  }
}

/**
 * What the real run would report for a table, without copying: everything into a fresh
 * target (alembic_version is stamped as one row); on --resume, the rows already there are
 * skipped (pages commit in key order, so they are a prefix of the source). On --append the
 * target's ids are not compared beforehand: every source row counts as copied, so the dry
 * run is an upper bound of the rows added.
 */
async function predictedCount(from: CopyEndpoint, to: CopyEndpoint | undefined, table: string, mode: CopyMode): Promise<TableCount> {
  const source = await from.count(table);
  if (table === ALEMBIC) return mode === 'append' ? {source, copied: 0, skipped: source} : {source, copied: source, skipped: 0};
  const present = mode === 'resume' && to ? Math.min(await to.count(table), source) : 0;
  return {source, copied: source - present, skipped: present};
}

async function readRevision(endpoint: CopyEndpoint): Promise<string | null> {
  const rows = await endpoint.readPage(ALEMBIC, [{name: 'version_num', json: false}], 'version_num', null, 1);
  return rows.length > 0 ? String(rows[0][0]) : null;
}

/**
 * What marks "the same source" for --resume: its revision and the first keys of the
 * tables that only grow (flows and runs are never renumbered).
 */
async function sourceFingerprint(source: CopyEndpoint, revision: string): Promise<string> {
  return JSON.stringify({revision, flow: await source.minKey('flow', 'id'), flow_run: await source.minKey('flow_run', 'id')});
}

async function checkTargetContents(
  request: CopyRequest,
  target: CopyEndpoint,
  holding: string[],
  fingerprint: string,
  source: CopyEndpoint,
  sourceTables: ReadonlyMap<string, readonly LiveColumn[]>,
): Promise<void> {
  const listed = holding.slice(0, 3).join(', ') + (holding.length > 3 ? ', …' : '');
  if (request.mode === 'append') {
    if (holding.length > 0) await request.confirm(`Add the source's rows to the target, which already holds rows (${listed})?`);
    return;
  }
  const marker = await target.readBookkeeping();
  if (request.mode === 'resume') {
    if (marker !== null && marker !== fingerprint) {
      throw refusedError('the target holds an interrupted copy of another database: resume with the source it was started from, or copy into an empty database');
    }
    if (marker === null && holding.length > 0 && !(await allCopied(source, target, sourceTables))) {
      throw refusedError(
        `the target holds rows (${listed}) but no interrupted copy of this source: copy into an empty database, or pass --append to add the rows whose ids are missing`,
      );
    }
    return;
  }
  if (holding.length > 0) {
    throw refusedError(
      `the target already holds rows (${listed}): copy into an empty database, pass --append to add the rows whose ids are missing, or --resume to finish an interrupted copy of this source`,
    );
  }
}

/** A finished copy resumed again: every table already has the source's row count. */
async function allCopied(source: CopyEndpoint, target: CopyEndpoint, tables: ReadonlyMap<string, readonly LiveColumn[]>): Promise<boolean> {
  for (const table of tables.keys()) {
    if (table === ALEMBIC) continue;
    if ((await source.count(table)) !== (await target.count(table))) return false;
  }
  return true;
}

async function copyTable(
  request: CopyRequest,
  from: CopyEndpoint,
  to: CopyEndpoint,
  plan: TablePlan,
  rejected: RejectedRow[],
  onRows: (done: number, total: number) => void,
): Promise<TableCount> {
  const counts: TableCount = {source: await from.count(plan.name), copied: 0, skipped: 0};
  let after: string | null = null;
  if (request.mode === 'resume') {
    const present = await to.count(plan.name);
    if (present === counts.source) return {...counts, skipped: present};
    // Pages commit in key order, so what an interrupted copy left is a prefix of the source.
    counts.skipped = present;
    after = await to.maxKey(plan.name, plan.key);
  }
  onRows(counts.skipped, counts.source);
  if (counts.source === 0) return counts;
  const reads = plan.columns.map((c) => c.read);
  const names = plan.columns.map((c) => c.name);
  let page = await from.readPage(plan.name, reads, plan.key, after, PAGE_ROWS);
  while (page.length > 0) {
    after = String(page[page.length - 1][plan.keyIndex]);
    const rows = convertPage(plan, page, rejected);
    const last = page.length < PAGE_ROWS;
    // Read the next page while the target takes this one.
    const [outcome, next] = await Promise.all([
      to.insertRows(plan.name, names, plan.key, rows, request.mode === 'append'),
      last ? Promise.resolve([] as RawRow[]) : from.readPage(plan.name, reads, plan.key, after, PAGE_ROWS),
    ]);
    counts.copied += outcome.copied;
    counts.skipped += outcome.skipped;
    rejected.push(...outcome.rejected);
    onRows(counts.copied + counts.skipped, counts.source);
    page = next;
  }
  return counts;
}

function convertPage(plan: TablePlan, page: RawRow[], rejected: RejectedRow[]): RawRow[] {
  const rows: RawRow[] = [];
  for (const raw of page) {
    const row = new Array(raw.length);
    let failed = false;
    for (let i = 0; i < raw.length; i++) {
      try {
        row[i] = plan.columns[i].convert(raw[i]);
      } catch {
        rejected.push({table: plan.name, id: String(raw[plan.keyIndex]), reason: `unreadable value in ${plan.columns[i].name}`});
        failed = true;
        break;
      }
    }
    if (failed) continue;
    for (const index of plan.deferredIndexes) row[index] = null;
    rows.push(row);
  }
  return rows;
}

async function fillPointers(from: CopyEndpoint, to: CopyEndpoint, plan: TablePlan, column: string): Promise<RejectedRow[]> {
  const convert = plan.columns.find((c) => c.name === column)!.convert;
  const rejected: RejectedRow[] = [];
  let after: string | null = null;
  for (;;) {
    const pairs = await from.readPointers(plan.name, plan.key, column, after, PAGE_ROWS);
    if (pairs.length === 0) break;
    after = String(pairs[pairs.length - 1][0]);
    const keyConvert = plan.columns[plan.keyIndex].convert;
    rejected.push(...(await to.fillPointers(plan.name, plan.key, column, pairs.map(([key, value]) => [keyConvert(key) as string, convert(value)]))));
    if (pairs.length < PAGE_ROWS) break;
  }
  return rejected;
}

/**
 * The revision an empty target is built at: the source's own (its pair on the other dialect),
 * which prefectdb's chain must reach. Refused, before anything is written, when it cannot.
 */
async function emptyTargetRevision(source: {dialect: Database['dialect']; revision: string}, targetDialect: Database['dialect']): Promise<string> {
  const revision = targetRevisionFor(source, {dialect: targetDialect, revision: null});
  const {loadChain} = await import('../../db/migration-chain.js');
  const chain = await loadChain(targetDialect).catch(() => []);
  if (!chain.some((step) => step.revision === revision)) {
    throw refusedError(
      `the target has no tables and prefectdb's migration chain cannot build ${targetDialect} revision ${revision} (the source is at ${source.revision}, ${describeRelease(source)}): ` +
        `the chain covers Prefect 2.13.0 to the head, so upgrade an older source with Prefect first (prefect server database upgrade) and copy again`,
    );
  }
  return revision;
}

/** The head through db init's shortcut; any other revision through Prefect's chain from 2.13.0. */
async function buildTargetSchema(db: Database, revision: string): Promise<void> {
  const {HEAD_REVISIONS} = await import('../../db/revisions.js');
  if (revision === HEAD_REVISIONS[db.dialect]) {
    const {migrateToHead} = await import('../../db/migrate.js');
    await migrateToHead(db.knex, db.dialect);
    return;
  }
  const {buildAtRevision} = await import('../migrations/apply.js');
  await buildAtRevision(db.knex, db.dialect, revision);
}
