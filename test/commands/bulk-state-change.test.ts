import {expect} from 'chai';

import {removeTempDirs} from '../support/databases.js';
import {requirePostgres, testDialects} from '../support/dialects.js';
import {emptyDatabase, seedOrFail} from '../seed/seeded-database.js';
import {cliJson, type OrchestrationJson, withDatabase} from './state-change-support.js';

/**
 * Bulk changes over more runs than one batch holds (500): every run changed once, each
 * run's pointer naming its newest state row, the run's columns agreeing with it.
 */

async function pointerMismatches(url: string, kind: 'flow_run' | 'task_run'): Promise<number> {
  return withDatabase(url, async (db) => {
    const result = await db.knex.raw(
      `select count(*) as n from ${kind} r
        where r.state_id is not null and (
          r.state_id <> (select s.id from ${kind}_state s where s.${kind}_id = r.id order by s.timestamp desc limit 1)
          or r.state_type <> (select s.type from ${kind}_state s where s.id = r.state_id)
          or r.state_name <> (select s.name from ${kind}_state s where s.id = r.state_id)
          or r.state_timestamp <> (select s.timestamp from ${kind}_state s where s.id = r.state_id))`,
    );
    const rows = Array.isArray(result) ? result : result.rows;
    return Number(rows[0].n);
  });
}

for (const dialect of testDialects()) {
  describe(`bulk set-state over several batches (${dialect})`, function () {
    this.timeout(300_000);
    let url: string;
    let drop: () => Promise<void>;

    before(async function () {
      if (dialect === 'postgres') await requirePostgres(this);
      ({url, drop} = await emptyDatabase(dialect));
      await seedOrFail(url, ['--flow-runs', '1300', '--seed', '11', '--task-runs-per-flow-run', '1', '--logs-per-run', '0']);
    });

    after(async () => {
      await drop?.();
      removeTempDirs();
    });

    it('--all with --force changes every run exactly once, pointers and columns consistent', async () => {
      const counts = async () =>
        withDatabase(url, async (db) => ({
          runs: Number((await db.knex('flow_run').count({n: '*'}))[0].n),
          states: Number((await db.knex('flow_run_state').count({n: '*'}))[0].n),
        }));
      const before = await counts();
      expect(before.runs).to.equal(1300);
      const {result, json} = await cliJson<OrchestrationJson[]>(url, ['flow-run', 'set-state', '--all', '--state-type', 'CRASHED', '--force', '--yes']);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(json).to.have.length(1300);
      expect(new Set(json.map((r) => r.id)).size).to.equal(1300);
      const after = await counts();
      expect(after.states - before.states).to.equal(1300);
      const crashed = await withDatabase(url, async (db) => Number((await db.knex('flow_run').where('state_type', 'CRASHED').count({n: '*'}))[0].n));
      expect(crashed).to.equal(1300);
      expect(await pointerMismatches(url, 'flow_run')).to.equal(0);
    });

    it('a filter on the current state is re-read batch by batch, so re-running finds nothing left', async () => {
      const first = await cliJson<OrchestrationJson[]>(url, ['flow-run', 'set-state', '--current-state-type', 'CRASHED', '--state-type', 'CANCELLED', '--force', '--yes']);
      expect(first.result.exitCode, first.result.stderr).to.equal(0);
      expect(first.json).to.have.length(1300);
      const again = await cliJson<OrchestrationJson[]>(url, ['flow-run', 'set-state', '--current-state-type', 'CRASHED', '--state-type', 'CANCELLED', '--force', '--yes']);
      expect(again.json).to.deep.equal([]);
      expect(await pointerMismatches(url, 'flow_run')).to.equal(0);
    });
  });
}
