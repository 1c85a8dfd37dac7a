import {existsSync, statSync} from 'node:fs';

import {Flags, type Command} from '@oclif/core';

import {BaseCommand} from '../base-command.js';
import type {Direction} from '../db/migration-chain.js';
import {refusedError} from '../errors.js';
import type {AppliedStep, StepEvent} from '../services/migrations/apply.js';
import type {LostData, MigrationPlan, PlannedStep} from '../services/migrations/plan.js';

/** Flags of `db upgrade` and `db downgrade` besides `--to`. */
export const migrationFlags = {
  'dry-run': Flags.boolean({description: 'print the plan (rows each step touches, what a downgrade loses) and write nothing'}),
  yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (needed when stdin is not a terminal)'}),
  backup: Flags.string({description: 'SQLite: first copy the database to this new file (VACUUM INTO)'}),
};

/** One migration in the `-o json` report. */
interface MigrationRecord {
  revision: string;
  release: string;
  description: string;
  rows: number;
  seconds: number | null;
  lost?: LostData;
}

const VERB: Record<Direction, {name: string; done: string}> = {
  up: {name: 'Upgrade', done: 'upgraded'},
  down: {name: 'Downgrade', done: 'downgraded'},
};

/**
 * What `db upgrade` and `db downgrade` share: plan from the database's revision to --to,
 * print the plan, ask (or --yes), back up, run step by step with progress on stderr, report.
 */
export abstract class MigrationCommand<T extends typeof Command> extends BaseCommand<T> {
  protected async migrate(direction: Direction, to: string): Promise<void> {
    const flags = this.flags as {'dry-run'?: boolean; yes?: boolean; backup?: string};
    const dryRun = Boolean(flags['dry-run']);
    this.refuseEmptyFile();
    const {planMigration} = await import('../services/migrations/plan.js');
    const {db, schema} = await this.connect({write: !dryRun});
    const plan = await planMigration(db, schema, {direction, to});
    if (plan.steps.length === 0) {
      process.stderr.write(`already at revision ${plan.from.revision} (Prefect ${plan.from.release}): nothing to do\n`);
      await this.report(plan, [], dryRun);
      return;
    }
    const {backupSqlite, checkBackupPath} = await import('../services/migrations/backup.js');
    const backup = flags.backup === undefined || dryRun ? undefined : checkBackupPath(db, flags.backup);
    await this.printPlan(plan);
    if (dryRun) {
      await this.report(plan, undefined, dryRun);
      process.stderr.write('Dry run: nothing was written.\n');
      return;
    }
    await this.confirm(
      `${VERB[direction].name} ${db.target.display} from ${plan.from.revision} (Prefect ${plan.from.release}) to ${plan.to.revision} (Prefect ${plan.to.release}): ` +
        `${plan.steps.length} migration${plan.steps.length === 1 ? '' : 's'}${direction === 'down' ? ', losing what is listed' : ''}? Stop the Prefect server first.`,
    );
    if (backup) {
      await backupSqlite(db, backup);
      process.stderr.write(`Backed up to ${backup}\n`);
    }
    const {applyPlan} = await import('../services/migrations/apply.js');
    const started = performance.now();
    const applied = await applyPlan(db, plan, (event) => this.progress(event));
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `${VERB[direction].done} from ${plan.from.revision} (Prefect ${plan.from.release}) to ${plan.to.revision} (Prefect ${plan.to.release}): ` +
        `${applied.length} migration${applied.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s\n`,
    );
    await this.report(plan, applied, false);
  }

  /** The exit code for "not a Prefect database" holds for an empty file too (exit 4, not 5). */
  private refuseEmptyFile(): void {
    const target = this.databaseTarget;
    if (target.dialect === 'sqlite' && existsSync(target.filename) && statSync(target.filename).isFile() && statSync(target.filename).size === 0) {
      throw refusedError(`database file ${target.display} is empty, not a Prefect database: nothing to migrate (build one with \`prefectdb db init --to REV|RELEASE\`)`);
    }
  }

  private async printPlan(plan: MigrationPlan): Promise<void> {
    if (this.outputFormat !== 'table' || this.flags.quiet) return;
    const down = plan.direction === 'down';
    process.stderr.write(
      `${plan.steps.length} migration${plan.steps.length === 1 ? '' : 's'} from ${plan.from.revision} (Prefect ${plan.from.release}) to ${plan.to.revision} (Prefect ${plan.to.release}):\n`,
    );
    await this.printList<PlannedStep>({
      noun: 'migrations',
      rows: plan.steps,
      idKey: 'revision',
      columns: [
        {header: 'REVISION', cell: (s) => s.revision},
        {header: 'RELEASE', cell: (s) => s.release},
        {header: 'WHAT IT DOES', cell: (s, format) => format.text(s.description)},
        {header: 'ROWS', cell: (s) => (s.step.touches.length === 0 ? '' : s.rows.toLocaleString('en-US'))},
        ...(down ? [{header: 'LOST', cell: (s: PlannedStep) => describeLost(s.lost)}] : []),
      ],
    });
  }

  private progress(event: StepEvent): void {
    if (this.flags.quiet) return;
    const position = `[${event.index + 1}/${event.total}]`;
    if (event.phase === 'start') {
      if (process.stderr.isTTY) process.stderr.write(`${position} ${event.step.revision} ${event.step.description} …`);
      return;
    }
    const line = `${position} ${event.step.revision} ${event.step.description} (${event.seconds!.toFixed(2)} s)`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  /** `-o json`: {from, to, migrations: [{revision, release, description, rows, seconds}]}; null seconds on a dry run. */
  private async report(plan: MigrationPlan, applied: AppliedStep[] | undefined, dryRun: boolean): Promise<void> {
    const seconds = new Map((applied ?? []).map((step) => [step.revision, step.seconds]));
    const migrations: MigrationRecord[] = plan.steps.map((step) => ({
      revision: step.revision,
      release: step.release,
      description: step.description,
      rows: step.rows,
      seconds: seconds.get(step.revision) ?? null,
      ...(step.lost ? {lost: step.lost} : {}),
    }));
    if (this.flags.quiet) {
      this.writeStdout(dryRun ? '' : migrations.map((m) => `${m.revision}\n`).join(''));
      return;
    }
    if (this.outputFormat === 'table') return;
    if (this.outputFormat === 'json') {
      const record = {from: plan.from.revision, to: plan.to.revision, from_release: plan.from.release, to_release: plan.to.release, dry_run: dryRun, migrations};
      this.writeStdout(JSON.stringify(record, null, 2) + '\n');
      return;
    }
    await this.printList<MigrationRecord>({noun: 'migrations', rows: migrations, idKey: 'revision', columns: []});
  }
}

function describeLost(lost: LostData | undefined): string {
  if (!lost) return '';
  const parts = [
    ...Object.entries(lost.tables).map(([table, rows]) => `table ${table} (${rows.toLocaleString('en-US')} rows)`),
    ...Object.entries(lost.columns).map(([column, rows]) => `${column} (${rows.toLocaleString('en-US')} values)`),
  ];
  return parts.join(', ');
}
