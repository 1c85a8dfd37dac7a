import type {Knex} from 'knex';

import {CliError, ExitCode, refusedError} from '../../errors.js';

import type {Database} from '../../db/connection.js';
import type {Dialect} from '../../db/dialect.js';
import {applyStep, type ChainStep, loadChain} from '../../db/migration-chain.js';
import type {MigrationPlan, PlannedStep} from './plan.js';
import {targetPosition} from './chain-position.js';

export interface StepEvent {
  phase: 'start' | 'done';
  /** 0-based position in the plan. */
  index: number;
  total: number;
  step: PlannedStep;
  /** When done: how long the step took. */
  seconds?: number;
}

export interface AppliedStep {
  revision: string;
  release: string;
  description: string;
  rows: number;
  seconds: number;
}

/**
 * Runs a plan one step at a time, each step one transaction with its alembic_version stamp:
 * stopped at any moment, the database is at the revision of the last step that finished, and
 * running the same command again carries on from there.
 */
export async function applyPlan(db: Database, plan: MigrationPlan, onStep?: (event: StepEvent) => void): Promise<AppliedStep[]> {
  const applied: AppliedStep[] = [];
  for (const [index, step] of plan.steps.entries()) {
    onStep?.({phase: 'start', index, total: plan.steps.length, step});
    const started = performance.now();
    try {
      await applyStep(db.knex, db.dialect, step.step, plan.direction);
    } catch (error) {
      throw stepRefusal(error, step, plan.direction) ?? error;
    }
    const seconds = (performance.now() - started) / 1000;
    onStep?.({phase: 'done', index, total: plan.steps.length, step, seconds});
    applied.push({revision: step.revision, release: step.release, description: step.description, rows: step.rows, seconds: Math.round(seconds * 1000) / 1000});
  }
  return applied;
}

/** A step that refused the rows it found, told with where the database now stands. */
function stepRefusal(error: unknown, step: PlannedStep, direction: MigrationPlan['direction']): CliError | undefined {
  if (!(error instanceof CliError) || error.exitCode !== ExitCode.refused) return undefined;
  const standing = direction === 'up' ? step.step.downRevision : step.revision;
  return refusedError(
    `${step.revision} (Prefect ${step.release}) stopped: ${error.message}. Nothing of that step was written; the database stands at ${standing}, and running the command again carries on from there`,
  );
}

/**
 * Builds an empty database at a revision of the chain (head, a revision or a release), from
 * the 2.13.0 baseline up, and returns the steps it ran. No table of prefectdb's is left
 * behind: alembic_version alone records where it stands.
 */
export async function buildAtRevision(knex: Knex, dialect: Dialect, to: string): Promise<ChainStep[]> {
  const chain = await loadChain(dialect);
  const steps = chain.slice(0, targetPosition(chain, dialect, to) + 1);
  for (const step of steps) await applyStep(knex, dialect, step, 'up');
  return steps;
}
