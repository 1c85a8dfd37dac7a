import type {Database} from '../../db/connection.js';
import {type ChainStep, type Direction, loadChain} from '../../db/migration-chain.js';
import {migrationKit} from '../../db/migration-kit.js';
import type {SchemaInfo} from '../../db/schema-info.js';
import {refusedError} from '../../errors.js';
import {MigrationFacts} from '../../repositories/migration-facts.js';
import {currentPosition, targetPosition} from './chain-position.js';

/** What a downgrade step removes, with the rows that go with it. */
export interface LostData {
  /** Dropped table → its rows. */
  tables: Record<string, number>;
  /** Dropped `table.column` → rows holding a value in it. */
  columns: Record<string, number>;
}

export interface PlannedStep {
  revision: string;
  release: string;
  description: string;
  /** Rows the step copies or changes (its `touches` tables), counted before anything runs. */
  rows: number;
  /** Downgrades only. */
  lost?: LostData;
  step: ChainStep;
}

export interface MigrationPlan {
  direction: Direction;
  from: {revision: string; release: string};
  to: {revision: string; release: string};
  steps: PlannedStep[];
}

export interface PlanRequest {
  direction: Direction;
  /** head, a revision of the database's dialect, or a Prefect release. */
  to: string;
}

/**
 * The steps from the database's revision to the one asked for, with what each touches and
 * (going down) loses, read from the database. Refuses a database prefectdb will not migrate,
 * a target on the wrong side of where the database stands, and a downgrade Prefect's own
 * scripts would fail half-way through (before anything changes).
 */
export async function planMigration(db: Database, schema: SchemaInfo, request: PlanRequest): Promise<MigrationPlan> {
  const chain = await loadChain(db.dialect);
  const current = currentPosition(chain, schema);
  const target = targetPosition(chain, db.dialect, request.to);
  const here = chain[current];
  const there = chain[target];
  if (request.direction === 'up' && target < current) {
    throw refusedError(
      `--to ${request.to} (${there.revision}, Prefect ${there.release}) is below the database's revision ${here.revision} (Prefect ${here.release}): ` +
        `that is a downgrade (prefectdb db downgrade --to ${request.to})`,
    );
  }
  if (request.direction === 'down' && target > current) {
    throw refusedError(
      `--to ${request.to} (${there.revision}, Prefect ${there.release}) is above the database's revision ${here.revision} (Prefect ${here.release}): ` +
        `that is an upgrade (prefectdb db upgrade --to ${request.to})`,
    );
  }
  const steps = request.direction === 'up' ? chain.slice(current + 1, target + 1) : chain.slice(target + 1, current + 1).reverse();
  const facts = new MigrationFacts(db.knex, schema);
  const planned: PlannedStep[] = [];
  for (const step of steps) {
    const entry: PlannedStep = {revision: step.revision, release: step.release, description: step.description, rows: 0, step};
    for (const table of step.touches) entry.rows += await facts.tableRows(table);
    if (request.direction === 'down') entry.lost = await lostBy(step, facts);
    planned.push(entry);
  }
  if (request.direction === 'down') await refuseBlockedDowngrade(db, steps);
  return {
    direction: request.direction,
    from: {revision: here.revision, release: here.release},
    to: {revision: there.revision, release: there.release},
    steps: planned,
  };
}

async function lostBy(step: ChainStep, facts: MigrationFacts): Promise<LostData> {
  const lost: LostData = {tables: {}, columns: {}};
  for (const table of step.drops.tables) lost.tables[table] = await facts.tableRows(table);
  for (const qualified of step.drops.columns) {
    const [table, column] = qualified.split('.');
    lost.columns[qualified] = await facts.columnValues(table, column);
  }
  return lost;
}

/**
 * Prefect's downgrade scripts fail on some rows (a variable holding an object cannot go back
 * into the old string column): every step's blockers are gathered before anything runs, so a
 * downgrade either can go all the way or does not start.
 */
async function refuseBlockedDowngrade(db: Database, steps: ChainStep[]): Promise<void> {
  const blocked: string[] = [];
  for (const step of steps) {
    const reasons = (await step.file.downBlockers?.(db.knex, migrationKit)) ?? [];
    for (const reason of reasons) blocked.push(`${step.revision} (${step.description}): ${reason}`);
  }
  if (blocked.length === 0) return;
  const shown = blocked.slice(0, 5).join('; ') + (blocked.length > 5 ? `; and ${blocked.length - 5} more` : '');
  throw refusedError(
    `refusing to downgrade: Prefect's own downgrade would fail on rows this database holds, so nothing was changed: ${shown}. ` +
      `Change or delete those rows first, or downgrade to a revision above that step`,
  );
}
