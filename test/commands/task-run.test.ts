import {expect} from 'chai';

import {parseJson, runCli} from '../support/cli.js';
import {copyFixture, PREFECT_FIXTURES, removeTempDirs} from '../support/databases.js';
import {testDialects} from '../support/dialects.js';
import {
  databaseFor,
  expectedOrder,
  fileHash,
  type HistoryRow,
  isoFromSqlite,
  openFixture,
  readHistory,
  readRuns,
  type RunRow,
  secondsFromSqliteInterval,
  startDelay,
  TERMINAL,
  uniquePrefix,
  withoutClockFields,
} from './run-expectations.js';

// The contract's keys for a task run, in order (Prefect's REST names).
const TASK_RUN_KEYS = [
  'id', 'created', 'updated', 'name', 'flow_run_id', 'task_key', 'dynamic_key', 'cache_key', 'cache_expiration',
  'task_version', 'empirical_policy', 'tags', 'labels', 'state_id', 'task_inputs', 'state_type', 'state_name',
  'run_count', 'flow_run_run_count', 'expected_start_time', 'next_scheduled_start_time', 'start_time', 'end_time',
  'total_run_time', 'estimated_run_time', 'estimated_start_time_delta', 'state',
];

interface TaskRunRow extends RunRow {
  flow_run_id: string | null;
  task_key: string;
  dynamic_key: string;
}

type TaskRunJson = Record<string, unknown> & {
  id: string;
  state: {id: string; type: string; name: string} | null;
  state_history?: HistoryRow[];
};

const sorted = (ids: string[]) => [...ids].sort();

for (const fixture of PREFECT_FIXTURES) {
  describe(`task-run commands on ${fixture}`, () => {
    let sqlitePath: string;
    let hashBefore: string;
    let runs: TaskRunRow[];
    let histories: Map<string, HistoryRow[]>;
    let flowRunIds: string[];
    let hasLabels: boolean;

    before(() => {
      sqlitePath = copyFixture(fixture);
      hashBefore = fileHash(sqlitePath);
      const sqlite = openFixture(sqlitePath);
      runs = readRuns<TaskRunRow>(sqlite, 'task_run', ['flow_run_id', 'task_key', 'dynamic_key']);
      histories = new Map(runs.map((run) => [run.id, readHistory(sqlite, 'task_run', run.id)]));
      flowRunIds = (sqlite.prepare('select id from flow_run order by id').all() as Array<{id: string}>).map((r) => r.id);
      hasLabels = sqlite.prepare(`select 1 from pragma_table_info('task_run') where name = 'labels'`).get() !== undefined;
      sqlite.close();
    });

    after(removeTempDirs);

    for (const dialect of testDialects()) {
      describe(dialect, () => {
        let db: string;
        let drop: (() => Promise<void>) | undefined;

        before(async function () {
          ({db, drop} = await databaseFor(this, dialect, fixture, sqlitePath));
        });

        after(async () => drop?.());

        const cli = (...args: string[]) => runCli([...args, '--db', db]);
        const listIds = async (...args: string[]) => {
          const result = await cli('task-run', 'ls', '--all', '--json', ...args);
          expect(result.exitCode, result.stderr).to.equal(0);
          return parseJson<TaskRunJson[]>(result).map((r) => r.id);
        };

        it('ls --all --json gives every task run as plain SQL reads it, under the contract keys', async () => {
          const result = await cli('task-run', 'ls', '--all', '--json');
          expect(result.exitCode, result.stderr).to.equal(0);
          if (runs.length === 0) expect(result.stderr).to.equal('no task runs found\n');
          const listed = parseJson<TaskRunJson[]>(result);
          expect(listed.map((r) => r.id)).to.deep.equal(expectedOrder(runs, 'expected-start', 'desc'));
          const byId = new Map(runs.map((r) => [r.id, r]));
          for (const run of listed) {
            const row = byId.get(run.id)!;
            expect(Object.keys(run)).to.deep.equal(TASK_RUN_KEYS);
            expect(run).to.include({
              name: row.name,
              flow_run_id: row.flow_run_id,
              task_key: row.task_key,
              dynamic_key: row.dynamic_key,
              state_id: row.state_id,
              state_type: row.state_type,
              state_name: row.state_name,
              created: isoFromSqlite(row.created),
              expected_start_time: isoFromSqlite(row.expected_start_time),
              start_time: isoFromSqlite(row.start_time),
              end_time: isoFromSqlite(row.end_time),
              total_run_time: secondsFromSqliteInterval(row.total_run_time),
            });
            expect(run.tags).to.deep.equal(JSON.parse(row.tags));
            if (!hasLabels) expect(run.labels).to.equal(null);
            if (row.state_type && TERMINAL.has(row.state_type)) {
              expect(run.estimated_run_time).to.equal(run.total_run_time);
              expect(run.estimated_start_time_delta).to.be.closeTo(startDelay(row), 1e-6);
            }
            if (row.state_id) expect(run.state).to.include({id: row.state_id, type: row.state_type, name: row.state_name});
          }
        });

        it('ls sorts by every field both ways, ties broken by id', async () => {
          for (const field of ['expected-start', 'start', 'end', 'created', 'name'] as const) {
            for (const direction of ['asc', 'desc'] as const) {
              expect(await listIds('--sort', `${field}:${direction}`), `${field}:${direction}`).to.deep.equal(
                expectedOrder(runs, field, direction),
              );
            }
          }
        });

        it('ls filters by flow run, state type, state name and tag', async () => {
          for (const flowRunId of flowRunIds) {
            const want = runs.filter((r) => r.flow_run_id === flowRunId).map((r) => r.id);
            expect(sorted(await listIds('--flow-run', flowRunId)), flowRunId).to.deep.equal(sorted(want));
          }
          for (const type of new Set([...runs.map((r) => r.state_type ?? 'PENDING'), 'FAILED'])) {
            const want = runs.filter((r) => r.state_type === type).map((r) => r.id);
            expect(sorted(await listIds('--state-type', type)), type).to.deep.equal(sorted(want));
          }
          for (const name of new Set([...runs.map((r) => r.state_name ?? 'Pending'), 'Cached'])) {
            const want = runs.filter((r) => r.state_name === name).map((r) => r.id);
            expect(sorted(await listIds('--state', name.toLowerCase())), name).to.deep.equal(sorted(want));
          }
          for (const tag of new Set([...runs.flatMap((r) => JSON.parse(r.tags) as string[]), 'no-such-tag'])) {
            const want = runs.filter((r) => (JSON.parse(r.tags) as string[]).includes(tag)).map((r) => r.id);
            expect(sorted(await listIds('--tag', tag)), tag).to.deep.equal(sorted(want));
          }
        });

        it('ls cut by --limit says so on stderr; -q prints ids only; csv starts with a header', async () => {
          const cut = await cli('task-run', 'ls', '--limit', '1', '-q');
          expect(cut.stdout).to.equal(expectedOrder(runs, 'expected-start', 'desc').slice(0, 1).map((id) => `${id}\n`).join(''));
          // -q says a list was cut, as every format does (issue 13).
          if (runs.length > 1) expect(cut.stderr).to.equal(`1 of ${runs.length} task runs; --limit N or --all for more\n`);
          const notice = await cli('task-run', 'ls', '--limit', '1');
          if (runs.length > 1) expect(notice.stderr).to.equal(`1 of ${runs.length} task runs; --limit N or --all for more\n`);
          const csv = await cli('task-run', 'ls', '-o', 'csv', '--all');
          if (runs.length > 0) expect(csv.stdout.split('\n')[0]).to.equal(TASK_RUN_KEYS.join(','));
          expect(csv.stdout.trimEnd().split('\n').filter(Boolean)).to.have.length(runs.length === 0 ? 0 : runs.length + 1);
        });

        it('inspect shows each task run with its state history, oldest first', async () => {
          for (const row of runs) {
            const result = await cli('task-run', 'inspect', uniquePrefix(row.id, runs), '--json');
            expect(result.exitCode, result.stderr).to.equal(0);
            const run = parseJson<TaskRunJson>(result);
            expect(run.id).to.equal(row.id);
            expect(Object.keys(run)).to.deep.equal([...TASK_RUN_KEYS, 'state_history']);
            expect(run.state_history).to.deep.equal(histories.get(row.id));
          }
          if (runs.length > 1) {
            const several = await cli('task-run', 'inspect', runs[0].id, runs[1].id, '--json');
            expect(parseJson<TaskRunJson[]>(several).map((r) => r.id)).to.deep.equal([runs[0].id, runs[1].id]);
          }
        });

        it('bad input exits 2; unknown ids exit 3', async () => {
          for (const args of [
            ['task-run', 'ls', '--state-type', 'FINISHED'],
            ['task-run', 'ls', '--sort', 'size'],
            ['task-run', 'ls', '--flow-run', 'nope'],
            ['task-run', 'inspect', 'nope'],
          ]) {
            const result = await cli(...args);
            expect(result.exitCode, args.join(' ')).to.equal(2);
            expect(result.stderr).to.match(/^Error: [^\n]+\n$/);
          }
          expect((await cli('task-run', 'inspect', 'ffffffff-ffff-4fff-bfff-ffffffffffff')).exitCode).to.equal(3);
          expect((await cli('task-run', 'ls', '--flow-run', 'ffffffff')).exitCode).to.equal(3);
        });

        if (dialect === 'postgres') {
          it('prints exactly what the same commands print over the SQLite file', async () => {
            const commands = [
              ['task-run', 'ls', '--all', '--json'],
              ['task-run', 'ls', '--all', '--json', '--sort', 'name'],
              ...runs.slice(0, 3).map((run) => ['task-run', 'inspect', run.id, '--json']),
            ];
            for (const args of commands) {
              const fromPostgres = await runCli([...args, '--db', db]);
              const fromSqlite = await runCli([...args, '--db', sqlitePath]);
              expect(fromPostgres.exitCode, fromPostgres.stderr).to.equal(0);
              expect(withoutClockFields(JSON.parse(fromPostgres.stdout)), args.join(' ')).to.deep.equal(
                withoutClockFields(JSON.parse(fromSqlite.stdout)),
              );
            }
          });
        }
      });
    }

    // Child suites run after a suite's own tests: this one, last, sees every command's effect.
    describe('afterwards', () => {
      it('reads left the SQLite file byte-identical', () => {
        expect(fileHash(sqlitePath)).to.equal(hashBefore);
      });
    });
  });
}
