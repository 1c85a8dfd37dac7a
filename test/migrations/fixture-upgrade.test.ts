import {expect} from 'chai';

import {HEAD_REVISIONS} from '../../src/db/revisions.js';
import {parseJson, runCli} from '../support/cli.js';
import {PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {revisionOf} from '../support/migration-databases.js';
import {fixtureDatabase} from '../support/postgres-fixtures.js';

/**
 * The real databases Prefect servers wrote (2.13.0, 2.17.0 and 3.4.19), on both dialects,
 * upgraded to the head by `db upgrade`: every value prefectdb read before reads the same
 * after, row counts stay, and the schema is the chain's head with no drift.
 */

type Row = Record<string, unknown>;

/** Fields computed against the clock at read time: they move between any two reads. */
const CLOCK_FIELDS = new Set(['estimated_start_time_delta', 'estimated_run_time']);

/** What an operator reads most: each list in full, as JSON. */
const READS: string[][] = [
  ['flow-run', 'ls', '--all'],
  ['task-run', 'ls', '--all'],
  ['flow', 'ls', '--all'],
  ['deployment', 'ls', '--all'],
  ['work-pool', 'ls', '--all'],
  ['block', 'ls', '--all'],
  ['variable', 'ls', '--all'],
  ['artifact', 'ls', '--all'],
];

async function read(url: string, args: string[]): Promise<Row[]> {
  const result = await runCli([...args, '--db', url, '--json']);
  expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).to.equal(0);
  return parseJson<Row[]>(result);
}

/**
 * Every value read before the upgrade reads the same after it. A field that was null may
 * gain a value: it is a column the old revision did not have, filled with its default.
 */
function expectSameReads(what: string, before: Row[], after: Row[]): void {
  expect(after.length, `${what}: rows`).to.equal(before.length);
  const afterById = new Map(after.map((row) => [String(row.id ?? row.name), row]));
  for (const row of before) {
    const key = String(row.id ?? row.name);
    const upgraded = afterById.get(key);
    expect(upgraded, `${what}: ${key} is still listed`).to.not.equal(undefined);
    for (const [field, value] of Object.entries(row)) {
      if (value === null || CLOCK_FIELDS.has(field)) continue;
      expect(upgraded![field], `${what} ${key}.${field}`).to.deep.equal(value);
    }
  }
}

for (const dialect of testDialects()) {
  describe(`real Prefect databases upgraded to the head [${dialect}]`, function () {
    this.timeout(300_000);
    after(removeTempDirs);

    for (const fixture of PREFECT_FIXTURES) {
      it(`${fixture}: reads stay the same, row counts stay, no schema drift at the head`, async function () {
        const database = await fixtureDatabase(this, dialect, fixture);
        try {
          // One at a time: runCli captures the process's stdout for the command it runs.
          const readsBefore: Row[][] = [];
          for (const args of READS) readsBefore.push(await read(database.url, args));
          const statusBefore = parseJson<{row_counts: Record<string, number | null>}>(await runCli(['db', 'status', '--db', database.url, '--json']));

          const upgrade = await runCli(['db', 'upgrade', '--db', database.url, '--yes', '--json']);
          expect(upgrade.exitCode, upgrade.stderr + upgrade.stdout).to.equal(0);
          expect(await revisionOf(database.url)).to.equal(HEAD_REVISIONS[dialect]);

          for (const [index, args] of READS.entries()) expectSameReads(args.slice(0, 2).join(' '), readsBefore[index], await read(database.url, args));
          const statusAfter = parseJson<{row_counts: Record<string, number | null>; is_head: boolean}>(await runCli(['db', 'status', '--db', database.url, '--json']));
          expect(statusAfter.is_head).to.equal(true);
          for (const table of ['flow', 'flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'deployment', 'block_document', 'artifact']) {
            expect(statusAfter.row_counts[table], table).to.equal(statusBefore.row_counts[table]);
          }
          const doctor = parseJson<Array<{check: string; status: string; detail: unknown}>>(await runCli(['db', 'doctor', '--db', database.url, '--json']));
          const drift = doctor.find((finding) => finding.check === 'schema-drift');
          expect(drift, JSON.stringify(drift)).to.deep.include({status: 'ok'});
        } finally {
          await database.drop();
        }
      });
    }
  });
}
