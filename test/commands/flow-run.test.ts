import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

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

// The contract's keys for a flow run, in order (Prefect's REST names, plus flow_name).
const FLOW_RUN_KEYS = [
  'id', 'created', 'updated', 'name', 'flow_id', 'flow_name', 'deployment_id', 'deployment_version', 'work_queue_id',
  'work_queue_name', 'flow_version', 'parameters', 'idempotency_key', 'context', 'empirical_policy', 'tags', 'labels',
  'parent_task_run_id', 'state_type', 'state_name', 'run_count', 'expected_start_time', 'next_scheduled_start_time',
  'start_time', 'end_time', 'total_run_time', 'estimated_run_time', 'estimated_start_time_delta', 'auto_scheduled',
  'infrastructure_document_id', 'infrastructure_pid', 'created_by', 'job_variables', 'state',
];

interface FlowRunRow extends RunRow {
  flow_id: string;
  deployment_id: string | null;
  work_queue_id: string | null;
  work_queue_name: string | null;
  parent_task_run_id: string | null;
}

type FlowRunJson = Record<string, unknown> & {
  id: string;
  state: {id: string; type: string; name: string; timestamp: string; state_details: unknown} | null;
  state_history?: HistoryRow[];
  task_run_counts?: Record<string, number>;
  subflow_runs?: Array<{id: string; name: string; state_type: string | null; state_name: string | null}>;
  parent_flow_run?: {id: string} | null;
};

interface LogRow {
  id: string;
  name: string;
  level: number;
  flow_run_id: string;
  task_run_id: string | null;
  message: string;
  timestamp: string;
}

/** What plain SQL says about one fixture's flow runs. */
interface Expected {
  runs: FlowRunRow[];
  flowNames: Map<string, string>;
  histories: Map<string, HistoryRow[]>;
  stateTimestamps: Map<string, string>;
  taskCounts: Map<string, Record<string, number>>;
  subflows: Map<string, string[]>;
  parents: Map<string, string>;
  deployments: Array<{ref: string; id: string}>;
  pools: Array<{pool: string; queue: string; queueId: string}>;
  logs: Map<string, LogRow[]>;
  optionalColumns: Set<string>;
}

function readExpected(path: string): Expected {
  const sqlite = openFixture(path);
  try {
    const runs = readRuns<FlowRunRow>(sqlite, 'flow_run', ['flow_id', 'deployment_id', 'work_queue_id', 'work_queue_name', 'parent_task_run_id']);
    const all = <T>(sql: string, ...params: unknown[]) => sqlite.prepare(sql).all(...params) as T[];
    const taskCounts = new Map<string, Record<string, number>>();
    for (const row of all<{flow_run_id: string; t: string; n: number}>(
      `select flow_run_id, coalesce(state_type, 'NONE') as t, count(*) as n from task_run group by flow_run_id, t`,
    )) {
      taskCounts.set(row.flow_run_id, {...taskCounts.get(row.flow_run_id), [row.t]: row.n});
    }
    const subflows = new Map<string, string[]>();
    const parents = new Map<string, string>();
    for (const row of all<{parent: string; child: string}>(
      `select t.flow_run_id as parent, f.id as child from flow_run f join task_run t on t.id = f.parent_task_run_id`,
    )) {
      subflows.set(row.parent, [...(subflows.get(row.parent) ?? []), row.child]);
      parents.set(row.child, row.parent);
    }
    const logs = new Map<string, LogRow[]>();
    for (const row of all<LogRow>(`select id, name, level, flow_run_id, task_run_id, message, timestamp from log order by timestamp, id`)) {
      logs.set(row.flow_run_id, [...(logs.get(row.flow_run_id) ?? []), row]);
    }
    return {
      runs,
      flowNames: new Map(all<{id: string; name: string}>('select id, name from flow').map((f) => [f.id, f.name])),
      histories: new Map(runs.map((run) => [run.id, readHistory(sqlite, 'flow_run', run.id)])),
      stateTimestamps: new Map(all<{id: string; timestamp: string}>('select id, timestamp from flow_run_state').map((s) => [s.id, s.timestamp])),
      taskCounts,
      subflows,
      parents,
      deployments: all(`select f.name || '/' || d.name as ref, d.id from deployment d join flow f on f.id = d.flow_id`),
      pools: all(`select p.name as pool, q.name as queue, q.id as queueId from work_queue q join work_pool p on p.id = q.work_pool_id`),
      logs,
      optionalColumns: new Set(
        ['labels', 'job_variables', 'deployment_version'].filter(
          (column) => (all<{name: string}>(`select name from pragma_table_info('flow_run')`)).some((c) => c.name === column),
        ),
      ),
    };
  } finally {
    sqlite.close();
  }
}

const LEVEL_NAMES: Record<number, string> = {10: 'DEBUG', 20: 'INFO', 30: 'WARNING', 40: 'ERROR', 50: 'CRITICAL'};

const sorted = (ids: string[]) => [...ids].sort();

for (const fixture of PREFECT_FIXTURES) {
  describe(`flow-run commands on ${fixture}`, () => {
    let sqlitePath: string;
    let hashBefore: string;
    let expected: Expected;

    before(() => {
      sqlitePath = copyFixture(fixture);
      hashBefore = fileHash(sqlitePath);
      expected = readExpected(sqlitePath);
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
          const result = await cli('flow-run', 'ls', '--all', '--json', ...args);
          expect(result.exitCode, result.stderr).to.equal(0);
          return parseJson<FlowRunJson[]>(result).map((r) => r.id);
        };

        it('ls --all --json gives every run as plain SQL reads it, under the contract keys', async () => {
          const result = await cli('flow-run', 'ls', '--all', '--json');
          expect(result.exitCode, result.stderr).to.equal(0);
          const runs = parseJson<FlowRunJson[]>(result);
          expect(runs.map((r) => r.id)).to.deep.equal(expectedOrder(expected.runs, 'expected-start', 'desc'));
          const byId = new Map(expected.runs.map((r) => [r.id, r]));
          for (const run of runs) {
            const row = byId.get(run.id)!;
            expect(Object.keys(run)).to.deep.equal(FLOW_RUN_KEYS);
            expect(run).to.include({
              name: row.name,
              flow_id: row.flow_id,
              flow_name: expected.flowNames.get(row.flow_id),
              state_type: row.state_type,
              state_name: row.state_name,
              created: isoFromSqlite(row.created),
              expected_start_time: isoFromSqlite(row.expected_start_time),
              start_time: isoFromSqlite(row.start_time),
              end_time: isoFromSqlite(row.end_time),
              total_run_time: secondsFromSqliteInterval(row.total_run_time),
              parent_task_run_id: row.parent_task_run_id,
              deployment_id: row.deployment_id,
            });
            expect(run.tags).to.deep.equal(JSON.parse(row.tags));
            if (row.state_type && TERMINAL.has(row.state_type)) {
              expect(run.estimated_run_time).to.equal(run.total_run_time);
              expect(run.estimated_start_time_delta).to.be.closeTo(startDelay(row), 1e-6);
            }
            for (const column of ['labels', 'job_variables', 'deployment_version']) {
              if (!expected.optionalColumns.has(column)) expect(run[column], `${column} absent at this revision`).to.equal(null);
            }
            if (row.state_id === null) {
              expect(run.state).to.equal(null);
            } else {
              expect(run.state).to.include({id: row.state_id, type: row.state_type, name: row.state_name});
              expect(run.state!.timestamp).to.equal(isoFromSqlite(expected.stateTimestamps.get(row.state_id)!));
              expect(run.state!.state_details).to.be.an('object');
            }
          }
        });

        it('ls sorts by every field both ways, ties broken by id', async () => {
          for (const field of ['expected-start', 'start', 'end', 'created', 'name'] as const) {
            for (const direction of ['asc', 'desc'] as const) {
              expect(await listIds('--sort', `${field}:${direction}`), `${field}:${direction}`).to.deep.equal(
                expectedOrder(expected.runs, field, direction),
              );
            }
          }
          expect(await listIds('--sort', 'name')).to.deep.equal(expectedOrder(expected.runs, 'name', 'asc'));
        });

        it('ls filters by state type, state name (any case), flow name and tag', async () => {
          const types = [...new Set(expected.runs.map((r) => r.state_type).filter((t): t is string => t !== null))];
          for (const type of [...types, 'CRASHED']) {
            const want = expected.runs.filter((r) => r.state_type === type).map((r) => r.id);
            expect(sorted(await listIds('--state-type', type.toLowerCase())), type).to.deep.equal(sorted(want));
          }
          const [first, second = 'CRASHED'] = types;
          if (first) {
            const want = expected.runs.filter((r) => r.state_type === first || r.state_type === second).map((r) => r.id);
            expect(sorted(await listIds('--state-type', `${first},${second}`))).to.deep.equal(sorted(want));
          }
          for (const name of new Set(expected.runs.map((r) => r.state_name).filter((n): n is string => n !== null))) {
            const want = expected.runs.filter((r) => r.state_name === name).map((r) => r.id);
            expect(sorted(await listIds('--state', name.toUpperCase())), name).to.deep.equal(sorted(want));
          }
          expect(await listIds('--state', 'Late')).to.deep.equal(expected.runs.filter((r) => r.state_name === 'Late').map((r) => r.id));
          for (const [flowId, flowName] of expected.flowNames) {
            const want = expected.runs.filter((r) => r.flow_id === flowId).map((r) => r.id);
            expect(sorted(await listIds('--flow-name', flowName)), flowName).to.deep.equal(sorted(want));
          }
          for (const tag of new Set(expected.runs.flatMap((r) => JSON.parse(r.tags) as string[]))) {
            const want = expected.runs.filter((r) => (JSON.parse(r.tags) as string[]).includes(tag)).map((r) => r.id);
            expect(sorted(await listIds('--tag', tag)), tag).to.deep.equal(sorted(want));
          }
          expect(await listIds('--tag', 'no-such-tag')).to.deep.equal([]);
        });

        it('ls filters by deployment, work pool, work queue and parent run', async () => {
          for (const deployment of expected.deployments) {
            const want = sorted(expected.runs.filter((r) => r.deployment_id === deployment.id).map((r) => r.id));
            expect(sorted(await listIds('--deployment', deployment.ref)), deployment.ref).to.deep.equal(want);
            expect(sorted(await listIds('--deployment', deployment.id.slice(0, 8)))).to.deep.equal(want);
          }
          for (const {pool, queue, queueId} of expected.pools) {
            const inQueue = expected.runs.filter((r) => r.work_queue_id === queueId || r.work_queue_name === queue).map((r) => r.id);
            expect(sorted(await listIds('--work-queue', queue))).to.deep.equal(sorted(inQueue));
            expect(sorted(await listIds('--work-pool', pool, '--work-queue', queue))).to.deep.equal(
              sorted(expected.runs.filter((r) => r.work_queue_id === queueId).map((r) => r.id)),
            );
            const poolQueues = new Set(expected.pools.filter((p) => p.pool === pool).map((p) => p.queueId));
            expect(sorted(await listIds('--work-pool', pool))).to.deep.equal(
              sorted(expected.runs.filter((r) => r.work_queue_id !== null && poolQueues.has(r.work_queue_id)).map((r) => r.id)),
            );
          }
          for (const run of expected.runs) {
            expect(sorted(await listIds('--parent', run.id)), run.id).to.deep.equal(sorted(expected.subflows.get(run.id) ?? []));
          }
        });

        it('ls filters by expected start window, start and end times', async () => {
          const cases: Array<[flag: string, column: 'expected_start_time' | 'start_time' | 'end_time', keep: (v: string, t: string) => boolean]> = [
            ['--since', 'expected_start_time', (v, t) => v >= t],
            ['--until', 'expected_start_time', (v, t) => v <= t],
            ['--started-since', 'start_time', (v, t) => v >= t],
            ['--ended-since', 'end_time', (v, t) => v >= t],
          ];
          for (const [flag, column, keep] of cases) {
            const values = expected.runs.map((r) => r[column]).filter((v): v is string => v !== null).sort();
            if (values.length === 0) continue;
            const pivot = values[Math.floor(values.length / 2)];
            const want = expected.runs.filter((r) => r[column] !== null && keep(r[column]!, pivot)).map((r) => r.id);
            expect(sorted(await listIds(flag, isoFromSqlite(pivot)!)), `${flag} ${pivot}`).to.deep.equal(sorted(want));
          }
          expect(await listIds('--since', '2999-01-01')).to.deep.equal([]);
        });

        it('ls says on stderr when --limit cut the list; -q prints ids only; csv starts with a header', async () => {
          const total = expected.runs.length;
          const cut = await cli('flow-run', 'ls', '--limit', '1', '--json');
          expect(parseJson<unknown[]>(cut)).to.have.length(Math.min(1, total));
          if (total > 1) expect(cut.stderr).to.equal(`1 of ${total} flow runs; --limit N or --all for more\n`);
          const quiet = await cli('flow-run', 'ls', '-q', '--all');
          expect(quiet.stdout).to.equal(expectedOrder(expected.runs, 'expected-start', 'desc').map((id) => `${id}\n`).join(''));
          const csv = await cli('flow-run', 'ls', '-o', 'csv', '--all');
          expect(csv.stdout.split('\n')[0]).to.equal(FLOW_RUN_KEYS.join(','));
          expect(csv.stdout.trimEnd().split('\n')).to.have.length(total + 1);
          const table = await cli('flow-run', 'ls', '--all');
          expect(table.stdout.split('\n')[0]).to.match(/^ID\s+NAME\s+FLOW\s+STATE\s+EXPECTED START\s+START\s+DURATION$/);
          expect(table.stdout).not.to.include('\u001B[');
        });

        it('inspect shows the state history, task runs by state, subflows and parent of every run', async () => {
          for (const row of expected.runs) {
            const result = await cli('flow-run', 'inspect', uniquePrefix(row.id, expected.runs), '--json');
            expect(result.exitCode, result.stderr).to.equal(0);
            const run = parseJson<FlowRunJson>(result);
            expect(run.id).to.equal(row.id);
            expect(run.state_history).to.deep.equal(expected.histories.get(row.id));
            expect(run.task_run_counts).to.deep.equal(expected.taskCounts.get(row.id) ?? {});
            expect(sorted(run.subflow_runs!.map((s) => s.id))).to.deep.equal(sorted(expected.subflows.get(row.id) ?? []));
            expect(run.parent_flow_run?.id ?? null).to.equal(expected.parents.get(row.id) ?? null);
          }
        });

        it('inspect names the deployment of a run (FLOW/NAME and id), not only its id', async () => {
          const run = expected.runs.find((r) => r.deployment_id && expected.deployments.some((d) => d.id === r.deployment_id));
          if (!run) return;
          const deployment = expected.deployments.find((d) => d.id === run.deployment_id)!;
          const table = await cli('flow-run', 'inspect', run.id);
          expect(table.stdout).to.match(new RegExp(`^Deployment:\\s+${deployment.ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(${deployment.id}\\)$`, 'm'));
        });

        it('inspect with several ids prints a JSON array, one jsonl line each', async () => {
          // The same id twice still counts as several.
          const ids = [...expected.runs, ...expected.runs].slice(0, 3).map((r) => r.id);
          const json = await cli('flow-run', 'inspect', ...ids, '--json');
          expect(json.exitCode, json.stderr).to.equal(0);
          expect(parseJson<FlowRunJson[]>(json).map((r) => r.id)).to.deep.equal(ids);
          const jsonl = await cli('flow-run', 'inspect', ...ids, '-o', 'jsonl');
          expect(jsonl.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as FlowRunJson).id)).to.deep.equal(ids);
          const table = await cli('flow-run', 'inspect', ...ids);
          expect(table.stdout.match(/^State timeline \(UTC\)$/gm)).to.have.length(ids.length);
        });

        it('logs prints every log of the run oldest first, in Prefect\'s layout and as records', async () => {
          for (const row of expected.runs) {
            const want = expected.logs.get(row.id) ?? [];
            const json = await cli('flow-run', 'logs', row.id, '--json');
            expect(json.exitCode, json.stderr).to.equal(0);
            const logs = parseJson<Array<Record<string, unknown>>>(json);
            expect(logs.map((l) => l.id)).to.deep.equal(want.map((l) => l.id));
            expect(logs.map((l) => l.timestamp)).to.deep.equal(want.map((l) => isoFromSqlite(l.timestamp)));
            expect(logs.map((l) => l.message)).to.deep.equal(want.map((l) => l.message));
            if (want.length === 0) {
              expect(json.stderr).to.equal('no logs found\n');
              continue;
            }
            expect(Object.keys(logs[0])).to.deep.equal(['id', 'created', 'updated', 'name', 'level', 'flow_run_id', 'task_run_id', 'message', 'timestamp']);
            const text = await cli('flow-run', 'logs', row.id);
            const first = want[0];
            const level = LEVEL_NAMES[first.level].padEnd(7);
            // The fixtures' logs are from past days, so the date leads even without --absolute.
            expect(text.stdout.split('\n')[0]).to.equal(`${first.timestamp.slice(0, 23)} | ${level} | ${first.name} - ${first.message.split('\n')[0]}`);
            const dated = await cli('flow-run', 'logs', row.id, '--absolute', '--head', '1');
            expect(dated.stdout.startsWith(first.timestamp.slice(0, 23) + ' | ')).to.equal(true);
            const tail = await cli('flow-run', 'logs', row.id, '-n', '2', '--json');
            expect(parseJson<LogRow[]>(tail).map((l) => l.id)).to.deep.equal(want.slice(-2).map((l) => l.id));
            if (want.length > 2) expect(tail.stderr).to.equal(`2 of ${want.length} logs; leave out --head/--tail for all\n`);
            const head = await cli('flow-run', 'logs', row.id, '--head', '2', '-q');
            expect(head.stdout).to.equal(want.slice(0, 2).map((l) => `${l.id}\n`).join(''));
            const warnings = await cli('flow-run', 'logs', row.id, '--level', 'warning', '--json');
            expect(parseJson<LogRow[]>(warnings).map((l) => l.id)).to.deep.equal(want.filter((l) => l.level >= 30).map((l) => l.id));
            const numeric = await cli('flow-run', 'logs', row.id, '--level', '20', '--json');
            expect(parseJson<LogRow[]>(numeric)).to.have.length(want.filter((l) => l.level >= 20).length);
          }
        });

        it('bad input exits 2 with one line naming the fix; unknown ids exit 3', async () => {
          const usage = [
            ['flow-run', 'ls', '--state-type', 'DONE'],
            ['flow-run', 'ls', '--since', 'last tuesday'],
            ['flow-run', 'ls', '--sort', 'duration'],
            ['flow-run', 'ls', '--parent', 'not-an-id'],
            ['flow-run', 'inspect', 'xyz'],
            ['flow-run', 'logs', expected.runs[0].id, '--level', 'loud'],
          ];
          for (const args of usage) {
            const result = await cli(...args);
            expect(result.exitCode, args.join(' ')).to.equal(2);
            expect(result.stderr).to.match(/^Error: [^\n]+\n$/);
          }
          const missing = await cli('flow-run', 'inspect', 'ffffffff-ffff-4fff-bfff-ffffffffffff');
          expect(missing.exitCode).to.equal(3);
          expect(missing.stderr).to.equal('Error: no flow run with id ffffffff-ffff-4fff-bfff-ffffffffffff\n');
          expect((await cli('flow-run', 'logs', 'ffffffff')).exitCode).to.equal(3);
          expect((await cli('flow-run', 'ls', '--deployment', 'no-flow/no-deployment')).exitCode).to.equal(3);
          const asJson = await cli('flow-run', 'inspect', 'ffffffff', '--json');
          expect(parseJson<{error: {code: string}}>(asJson).error.code).to.equal('NOT_FOUND');
        });

        if (dialect === 'postgres') {
          it('prints exactly what the same commands print over the SQLite file', async () => {
            const id = expected.runs[0].id;
            const commands = [
              ['flow-run', 'ls', '--all', '--json'],
              ['flow-run', 'ls', '--all', '--json', '--sort', 'end:asc'],
              ['flow-run', 'ls', '--all', '--json', '--sort', 'name'],
              ['flow-run', 'inspect', id, '--json'],
              ['flow-run', 'logs', id, '--json'],
              ['flow-run', 'logs', id],
            ];
            for (const args of commands) {
              const fromPostgres = await runCli([...args, '--db', db]);
              const fromSqlite = await runCli([...args, '--db', sqlitePath]);
              expect(fromPostgres.exitCode, fromPostgres.stderr).to.equal(0);
              const read = (text: string) => (args.includes('--json') ? withoutClockFields(JSON.parse(text)) : text);
              expect(read(fromPostgres.stdout), args.join(' ')).to.deep.equal(read(fromSqlite.stdout));
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

describe('flow-run inspect - (ids on stdin)', () => {
  after(removeTempDirs);

  it('inspects every id read from stdin and prints a JSON array', () => {
    const fixture = PREFECT_FIXTURES.find((name) => name.includes('824e9edafa60')) ?? PREFECT_FIXTURES[0];
    const path = copyFixture(fixture);
    const sqlite = openFixture(path);
    const ids = (sqlite.prepare('select id from flow_run order by id limit 2').all() as Array<{id: string}>).map((r) => r.id);
    sqlite.close();
    // A real process: stdin is a pipe, as in `prefectdb flow-run ls -q | prefectdb flow-run inspect -`.
    const result = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/dev.js', import.meta.url)), 'flow-run', 'inspect', '-', '--db', path, '--json'], {
      input: ids.join('\n') + '\n',
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).to.equal(0);
    expect((JSON.parse(result.stdout) as Array<{id: string}>).map((r) => r.id)).to.deep.equal(ids);
  });
});
