import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * How the benchmarks start prefectdb: the built CLI (bin/run.js over dist/ with the oclif
 * manifest) when `npm run build` has run, otherwise the TypeScript sources through tsx.
 */
export const CLI = existsSync(`${ROOT}dist/commands`)
  ? {label: 'bin/run.js (built)', args: [`${ROOT}bin/run.js`]}
  : {label: 'bin/dev.js (tsx, unbuilt: run `npm run build` for real start-up figures)', args: [`${ROOT}bin/dev.js`]};

export interface CliRun {
  stdout: string;
  stderr: string;
  code: number;
  ms: number;
}

export function runCli(args: string[]): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI.args, ...args], {cwd: ROOT, env: {...process.env, NO_COLOR: '1'}});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({stdout, stderr, code: code ?? 1, ms: performance.now() - started}));
  });
}

export async function runCliOrFail(args: string[]): Promise<CliRun> {
  const run = await runCli(args);
  if (run.code !== 0) throw new Error(`prefectdb ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return run;
}

/** An empty Node process: the floor under every start-up figure. */
export function spawnNode(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

export interface TimedRun {
  ms: number;
  /** CPU time (user + sys) of the child, which a loaded machine inflates less than wall time. */
  cpuMs: number;
  peakRssMb: number;
  /** The command's own "longest lock hold N ms", when it says one. */
  longestLockMs?: number;
  stderr: string;
}

/** The CLI as a child process under /usr/bin/time, for wall and CPU time and peak RSS; fails on a non-zero exit. */
export function timedCli(args: string[]): Promise<TimedRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M CPU_S=%U+%S', process.execPath, ...CLI.args, ...args], {env: {...process.env, NO_COLOR: '1'}});
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`prefectdb ${args.join(' ')} failed (${code}): ${stderr.slice(-500)}`));
      const peak = Number(/PEAK_RSS_KB=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024;
      const hold = /longest lock hold (\d+) ms/.exec(stderr)?.[1];
      const cpu = /CPU_S=([\d.]+)\+([\d.]+)/.exec(stderr);
      const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : Number.NaN;
      resolve({ms, cpuMs, peakRssMb: peak, longestLockMs: hold === undefined ? undefined : Number(hold), stderr});
    });
  });
}
