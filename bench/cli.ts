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
