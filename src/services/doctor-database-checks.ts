import {applyForeignKeyAction, foreignKeyViolations, integrityProblems, reindex} from '../repositories/health-repairs.js';
import {
  analyzeTables,
  checkpointWal,
  postgresTableHealth,
  postgresTablesWithoutStatistics,
  sqliteStorage,
  vacuum,
} from '../repositories/health-storage.js';
import {inTransaction} from './batches.js';
import {type Check, canRunBeside, type DoctorContext} from './doctor-checks.js';

/**
 * The checks of the database itself rather than of Prefect's rows: SQLite's integrity and
 * foreign keys, and storage (free pages, WAL, bloat, statistics).
 */

/** A SQLite file whose free pages are over this share (and over FREE_BYTES) is worth a VACUUM. */
const FREE_SHARE = 0.25;
const FREE_BYTES = 16 * 1024 * 1024;
/** A WAL past this size is not being checkpointed (a reader holds it, or no writer runs). */
const WAL_BYTES = 256 * 1024 * 1024;
/** PostgreSQL tables with more dead tuples than this share of live ones (and DEAD_TUPLES at least). */
const DEAD_SHARE = 0.2;
const DEAD_TUPLES = 10_000;

const sqliteOnly = (name: string) => ({count: 0, sample_ids: [], detail: `${name} is checked on SQLite; PostgreSQL enforces it itself`});

export const integrityCheck: Check = {
  name: 'integrity',
  runsBeside: (ctx) => ctx.db.dialect === 'sqlite' && canRunBeside(ctx),
  fix: 'prefectdb db doctor --fix (REINDEX rebuilds damaged indexes; --full also checks each index against its table); a damaged table needs a backup, or: sqlite3 prefect.db ".recover" | sqlite3 recovered.db',
  async detect(doctor) {
    const {ctx} = doctor;
    if (ctx.db.dialect !== 'sqlite') return sqliteOnly('integrity');
    const problems = await integrityProblems(ctx.db, {full: doctor.fullIntegrity, signal: doctor.signal});
    return {count: problems.length, sample_ids: [], detail: problems.slice(0, 5)};
  },
  async repair(doctor) {
    const {db} = doctor.ctx;
    if (db.dialect !== 'sqlite') return 0;
    const problems = await integrityProblems(db, {full: doctor.fullIntegrity});
    if (!doctor.dryRun) await reindex(db.knex);
    return problems.length;
  },
};

export const foreignKeysCheck: Check = {
  name: 'foreign-keys',
  runsBeside: (ctx) => ctx.db.dialect === 'sqlite' && canRunBeside(ctx),
  fix: 'prefectdb db doctor --fix (does to each row what its foreign key does on delete: CASCADE deletes it, SET NULL clears it)',
  async detect({ctx, signal}) {
    if (ctx.db.dialect !== 'sqlite') return sqliteOnly('foreign-keys');
    const violations = await foreignKeyViolations(ctx.db, signal);
    const byTable: Record<string, number> = {};
    for (const v of violations) byTable[`${v.table}.${v.column} → ${v.parent}`] = (byTable[`${v.table}.${v.column} → ${v.parent}`] ?? 0) + 1;
    return {count: violations.length, sample_ids: violations.slice(0, 5).map((v) => `${v.table}#${v.rowid}`), detail: byTable};
  },
  async repair(doctor: DoctorContext) {
    const {db} = doctor.ctx;
    if (db.dialect !== 'sqlite') return 0;
    let changed = 0;
    // A cascade can expose further violations (a deleted run's states): repeat until none is left.
    for (let round = 0; round < 10; round++) {
      const done = await inTransaction(db, async (trx) => {
        let applied = 0;
        for (const violation of await foreignKeyViolations(trx)) if (await applyForeignKeyAction(trx, violation)) applied++;
        return applied;
      }, {rollback: doctor.dryRun});
      changed += done;
      if (done === 0 || doctor.dryRun) break;
    }
    return changed;
  },
};

interface StorageFindings {
  count: number;
  detail: Record<string, unknown>;
  vacuumFile: boolean;
  checkpoint: boolean;
  vacuumTables: string[];
  analyzeTables: string[];
}

async function storageFindings(doctor: DoctorContext): Promise<StorageFindings> {
  const {db} = doctor.ctx;
  if (db.dialect === 'sqlite') {
    const facts = await sqliteStorage(db.knex, doctor.filename ?? '');
    const freeShare = facts.page_count === 0 ? 0 : facts.freelist_count / facts.page_count;
    const vacuumFile = freeShare > FREE_SHARE && facts.freelist_count * facts.page_size > FREE_BYTES;
    const checkpoint = (facts.wal_bytes ?? 0) > WAL_BYTES;
    return {
      count: Number(vacuumFile) + Number(checkpoint),
      detail: {...facts, free_share: Math.round(freeShare * 1000) / 1000},
      vacuumFile,
      checkpoint,
      vacuumTables: [],
      analyzeTables: [],
    };
  }
  const tables = await postgresTableHealth(db.knex);
  const bloated = tables.filter((t) => t.dead_tuples >= DEAD_TUPLES && t.dead_tuples > t.live_tuples * DEAD_SHARE);
  const unanalyzed = await postgresTablesWithoutStatistics(db.knex);
  return {
    count: bloated.length + unanalyzed.length,
    detail: {bloated: Object.fromEntries(bloated.map((t) => [t.table, {live: t.live_tuples, dead: t.dead_tuples}])), without_statistics: unanalyzed},
    vacuumFile: false,
    checkpoint: false,
    vacuumTables: bloated.map((t) => t.table),
    analyzeTables: unanalyzed,
  };
}

export const storageCheck: Check = {
  name: 'storage',
  fix: 'prefectdb db doctor --fix (SQLite: VACUUM, WAL checkpoint; PostgreSQL: VACUUM (ANALYZE) bloated tables, ANALYZE tables without statistics)',
  async detect(doctor) {
    const findings = await storageFindings(doctor);
    return {count: findings.count, sample_ids: [...findings.vacuumTables, ...findings.analyzeTables].slice(0, 5), detail: findings.detail};
  },
  async repair(doctor) {
    const findings = await storageFindings(doctor);
    if (doctor.dryRun) return findings.count;
    const {knex, dialect} = doctor.ctx.db;
    if (findings.checkpoint) await checkpointWal(knex);
    if (findings.vacuumFile) await vacuum(knex, dialect);
    if (findings.vacuumTables.length > 0) await vacuum(knex, dialect, findings.vacuumTables);
    await analyzeTables(knex, findings.analyzeTables.filter((t) => !findings.vacuumTables.includes(t)));
    return findings.count;
  },
};
