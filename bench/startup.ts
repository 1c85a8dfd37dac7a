/**
 * Whole-process start-up of prefectdb (issue 9): every command is spawned as a shell loop
 * would spawn it, and each figure is printed beside floors measured in the same run, in
 * interleaved rounds so a busy machine weighs on all of them alike.
 *
 *   npm run bench:startup                                  # the 1M-run file if present, else a seeded one
 *   BENCH_STARTUP_DB=/path/file.db BENCH_STARTUP_ROUNDS=31 npm run bench:startup
 *   BENCH_STARTUP_COMPARE=/path/to/other/checkout npm run bench:startup   # its built CLI too, same rounds
 *
 * Floors: `node -e 0`; "bare driver", a plain node script opening the file with
 * better-sqlite3 and running exactly the statements the command sent (captured from Knex);
 * "stack", the same statements through knex after importing @oclif/core, which is what
 * any oclif + Knex CLI pays. prefectdb's own addition = command − stack floor.
 * The import profile times `import(module)` in a fresh process, minus `node -e 0`.
 */
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {openDatabase} from '../src/db/connection.js';
import {readSchemaInfo} from '../src/db/schema-info.js';
import {resolveDatabaseTarget} from '../src/db/url.js';
import {repositoryContext, type RepositoryContext} from '../src/repositories/common.js';
import {findParentFlowRun, listFlowRuns, listSubflowRuns, readFlowRun} from '../src/repositories/flow-runs.js';
import {readStateHistory} from '../src/repositories/run-states.js';
import {countTaskRunsByStateType} from '../src/repositories/task-runs.js';
import {captureQueries, type CapturedQuery} from '../test/support/capture-queries.js';
import {CLI, runCliOrFail} from './cli.js';
import {ms, printTable, ratio} from './measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 21);
const MILLION = '/work/bench-data/seed-1m.db';
const LIMIT_20 = {filter: {}, sort: {field: 'expected-start', direction: 'desc'}, limit: 20} as const;
const PROFILED_MODULES = [
  '@oclif/core', 'knex', 'better-sqlite3', 'pg', 'luxon', 'cli-table3', 'csv-stringify/sync', 'croner', 'rrule', 'cronstrue',
  '@oclif/plugin-help', '@oclif/plugin-not-found', '@oclif/plugin-autocomplete',
];

interface Case {
  label: string;
  argv: string[];
  /** Floors this case is compared with, by label. */
  floors: string[];
}

const CPU_HOOK = path.join(ROOT, 'bench', 'report-cpu.mjs');

/** Runs `node argv…`; wall time, and CPU time as the process reported it (less skewed by a busy machine). */
function spawnTimed(argv: string[]): Promise<{ms: number; cpuMs: number; code: number; stderr: string}> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', CPU_HOOK, ...argv], {cwd: ROOT, env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'ignore', 'pipe']});
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const cpu = /prefectdb-bench-cpu-us (\d+)/.exec(stderr);
      resolve({ms: performance.now() - started, cpuMs: cpu ? Number(cpu[1]) / 1000 : Number.NaN, code: code ?? 1, stderr});
    });
  });
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function databaseFile(dir: string): Promise<string> {
  if (process.env.BENCH_STARTUP_DB) return process.env.BENCH_STARTUP_DB;
  const ready = existsSync(`${MILLION.replace(/\.db$/, '.json')}`) && statSync(MILLION.replace(/\.db$/, '.json')).size > 0;
  if (ready) return MILLION;
  const file = path.join(dir, 'seeded.db');
  process.stderr.write(`${MILLION} is not ready: seeding 100,000 flow runs into a temporary file …\n`);
  await runCliOrFail(['db', 'seed', '--db', file, '--flow-runs', '100000', '--seed', '42', '--task-runs-per-flow-run', '1', '--logs-per-run', '1']);
  return file;
}

/** The statements `flow-run ls --limit 20` and `flow-run inspect <id>` send, captured in-process. */
async function captureCommandStatements(file: string): Promise<{runId: string; ls: CapturedQuery[]; inspect: CapturedQuery[]}> {
  const db = await openDatabase(resolveDatabaseTarget(file, {}), {});
  try {
    const ctx: RepositoryContext = repositoryContext(db, await readSchemaInfo(db.knex, db.dialect));
    const [{id: runId}] = await db.knex('flow_run').select('id').whereNotNull('end_time').orderBy('id').limit(1);
    const ls = await captureQueries(db.knex, () => listFlowRuns(ctx, LIMIT_20));
    const inspect = await captureQueries(db.knex, async () => {
      const run = await readFlowRun(ctx, runId);
      await readStateHistory(ctx, 'flow_run', run.id);
      await countTaskRunsByStateType(ctx, run.id);
      await listSubflowRuns(ctx, run.id);
      await findParentFlowRun(ctx, run.parent_task_run_id);
    });
    return {runId, ls, inspect};
  } finally {
    await db.knex.destroy();
  }
}

/** A plain node script replaying `statements` through bare better-sqlite3 and printing the rows as JSON. */
function bareDriverScript(file: string, statements: CapturedQuery[]): string {
  return `import Database from 'better-sqlite3';
const db = new Database(${JSON.stringify(file)}, {readonly: true});
const out = [];
for (const {sql, bindings} of ${JSON.stringify(statements)}) out.push(db.prepare(sql).all(bindings));
process.stdout.write(JSON.stringify(out) + '\\n');
db.close();
`;
}

/** The same statements through knex, after loading @oclif/core: the fixed stack under every command. */
function stackScript(file: string, statements: CapturedQuery[]): string {
  return `import '@oclif/core';
import knex from 'knex';
const db = knex({client: 'better-sqlite3', connection: {filename: ${JSON.stringify(file)}, options: {readonly: true}}, useNullAsDefault: true});
const out = [];
for (const {sql, bindings} of ${JSON.stringify(statements)}) out.push(await db.raw(sql, bindings));
process.stdout.write(JSON.stringify(out) + '\\n');
await db.destroy();
`;
}

async function importProfile(wallFloor: number, cpuFloor: number): Promise<string[][]> {
  const rows: string[][] = [];
  for (const name of PROFILED_MODULES) {
    if (!existsSync(path.join(ROOT, 'node_modules', name.split('/').slice(0, name.startsWith('@') ? 2 : 1).join('/')))) continue;
    // Inside the project so the import resolves from its node_modules.
    const script = path.join(ROOT, 'bench', `.import-${process.pid}.mjs`);
    writeFileSync(script, `await import(${JSON.stringify(name)});\n`);
    const wall: number[] = [];
    const cpu: number[] = [];
    try {
      for (let i = 0; i < Math.max(5, Math.floor(ROUNDS / 2)); i++) {
        const run = await spawnTimed([script]);
        if (run.code !== 0) throw new Error(`import ${name} failed: ${run.stderr}`);
        wall.push(run.ms);
        cpu.push(run.cpuMs);
      }
    } finally {
      rmSync(script, {force: true});
    }
    rows.push([name, ms(Math.max(0, median(wall) - wallFloor)), ms(Math.max(0, median(cpu) - cpuFloor))]);
  }
  return rows;
}

/**
 * Which packages a command loaded (CommonJS and ESM alike): the import budget in practice.
 * Packages inside the bundle are read from the chunks loaded (dist/chunks/inputs.json).
 */
async function loadedPackages(argv: string[]): Promise<string> {
  const hook = path.join(ROOT, 'bench', 'loaded-packages.mjs');
  const result = await spawnTimed(['--import', hook, ...argv]);
  const inputsFile = path.join(ROOT, 'dist', 'chunks', 'inputs.json');
  const inputs: Record<string, string[]> = existsSync(inputsFile) ? JSON.parse(readFileSync(inputsFile, 'utf8')) : {};
  const packages = new Set<string>();
  const add = (file: string, marker = '') => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    if (match) packages.add(match[1] + marker);
  };
  for (const line of result.stderr.split('\n')) {
    if (!line.startsWith('loaded: ')) continue;
    const file = line.slice('loaded: '.length).replace(/^file:\/\//, '');
    add(file);
    const distPath = path.relative(path.join(ROOT, 'dist'), file);
    for (const input of inputs[distPath] ?? []) add(input, ' (bundled)');
  }
  return [...packages].sort().join(' ');
}

const dir = mkdtempSync(path.join(tmpdir(), 'prefectdb-startup-'));
try {
  const file = await databaseFile(dir);
  const {runId, ls, inspect} = await captureCommandStatements(file);
  const scripts = {
    lsBare: path.join(ROOT, 'bench', `.floor-ls-${process.pid}.mjs`),
    inspectBare: path.join(ROOT, 'bench', `.floor-inspect-${process.pid}.mjs`),
    lsStack: path.join(ROOT, 'bench', `.stack-ls-${process.pid}.mjs`),
    inspectStack: path.join(ROOT, 'bench', `.stack-inspect-${process.pid}.mjs`),
  };
  // Inside the project so `import 'better-sqlite3'` resolves from its node_modules.
  writeFileSync(scripts.lsBare, bareDriverScript(file, ls));
  writeFileSync(scripts.inspectBare, bareDriverScript(file, inspect));
  writeFileSync(scripts.lsStack, stackScript(file, ls));
  writeFileSync(scripts.inspectStack, stackScript(file, inspect));
  try {
    const floors: Record<string, string[]> = {
      'node -e 0': ['-e', '0'],
      'bare driver: ls statements': [scripts.lsBare],
      'bare driver: inspect statements': [scripts.inspectBare],
      'stack (@oclif/core + knex): ls statements': [scripts.lsStack],
      'stack (@oclif/core + knex): inspect statements': [scripts.inspectStack],
    };
    const cases: Case[] = [
      {label: 'prefectdb --version', argv: ['--version'], floors: ['node -e 0']},
      {label: 'prefectdb db status', argv: ['db', 'status', '--db', file], floors: ['node -e 0']},
      {
        label: 'prefectdb flow-run ls --limit 20 -o json',
        argv: ['flow-run', 'ls', '--limit', '20', '-o', 'json', '--db', file],
        floors: ['node -e 0', 'bare driver: ls statements', 'stack (@oclif/core + knex): ls statements'],
      },
      {
        label: 'prefectdb flow-run inspect <id>',
        argv: ['flow-run', 'inspect', runId, '--db', file],
        floors: ['node -e 0', 'bare driver: inspect statements', 'stack (@oclif/core + knex): inspect statements'],
      },
    ];
    const compare = process.env.BENCH_STARTUP_COMPARE;
    const builds: Array<[string, string[]]> = [['', CLI.args], ...(compare ? [[`${path.basename(compare)}: `, [path.join(compare, 'bin', 'run.js')]] as [string, string[]]] : [])];
    const runs = builds.flatMap(([prefix, bin]) => cases.map((c) => ({...c, label: prefix + c.label, bin})));
    for (const c of runs) {
      const check = await spawnTimed([...c.bin, ...c.argv]);
      if (check.code !== 0) throw new Error(`prefectdb ${c.argv.join(' ')} failed (${check.code}): ${check.stderr}`);
    }
    const samples = new Map<string, number[]>();
    const cpuSamples = new Map<string, number[]>();
    const all: Array<[string, string[]]> = [...Object.entries(floors), ...runs.map((c): [string, string[]] => [c.label, [...c.bin, ...c.argv]])];
    process.stderr.write(`${ROUNDS} rounds of ${all.length} processes …\n`);
    for (let round = 0; round < ROUNDS + 2; round++) {
      for (const [label, argv] of all) {
        const {ms: elapsed, cpuMs} = await spawnTimed(argv);
        // The first two rounds warm the page cache.
        if (round >= 2) {
          samples.set(label, [...(samples.get(label) ?? []), elapsed]);
          cpuSamples.set(label, [...(cpuSamples.get(label) ?? []), cpuMs]);
        }
      }
    }
    process.stdout.write(`prefectdb start-up — node ${process.version}, ${CLI.label}, ${path.basename(file)}, median of ${ROUNDS} interleaved rounds\n`);
    for (const [title, series] of [['Wall time (whole process)', samples], ['CPU time (user + system, whole process)', cpuSamples]] as const) {
      const med = (label: string) => median(series.get(label)!);
      const rows: string[][] = [];
      for (const [label] of Object.entries(floors)) rows.push([`floor: ${label}`, ms(med(label)), '', '', '']);
      for (const c of runs) {
        const stack = c.floors.find((f) => f.startsWith('stack'));
        const bare = c.floors.find((f) => f.startsWith('bare'));
        rows.push([
          c.label,
          ms(med(c.label)),
          ratio(med(c.label), med('node -e 0')),
          bare ? ratio(med(c.label), med(bare)) : '',
          stack ? ms(med(c.label) - med(stack)) : '',
        ]);
      }
      printTable(title, ['', 'median', '× node -e 0', '× bare driver', 'prefectdb adds (− stack)'], rows);
    }
    const med = (label: string) => median(samples.get(label)!);
    printTable('Import profile (a fresh process per import, minus node -e 0; median)', ['module', 'wall', 'CPU'], await importProfile(med('node -e 0'), median(cpuSamples.get('node -e 0')!)));
    process.stdout.write('\nPackages loaded per command\n');
    for (const c of cases) process.stdout.write(`  ${c.label}: ${await loadedPackages([...CLI.args, ...c.argv])}\n`);
  } finally {
    for (const script of Object.values(scripts)) rmSync(script, {force: true});
  }
} finally {
  rmSync(dir, {recursive: true, force: true});
}
