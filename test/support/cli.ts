import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {fileURLToPath} from 'node:url';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** An error oclif would print itself when run as a process (parse errors with their usage hint); in-process it is only returned. */
  unprinted?: string;
}

/**
 * Runs prefectdb in-process as a pipe would see it: stdout is not a TTY, environment
 * overrides apply for the call only, and the exit code is read from the error oclif raises.
 */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    saved.set(key, process.env[key]);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const wasTty = process.stdout.isTTY;
  process.stdout.isTTY = false as true;
  try {
    // @oclif/test's runCommand re-splits arguments on spaces; run the argv as given.
    const {stdout, stderr, error} = await captureOutput(() => run(args, {root: projectRoot}), {stripAnsi: false});
    const exitCode = error ? ((error as {oclif?: {exit?: number}}).oclif?.exit ?? 1) : 0;
    const unprinted = error && error.constructor.name !== 'ExitError' ? error.message : undefined;
    return {stdout, stderr, exitCode, unprinted};
  } finally {
    process.stdout.isTTY = wasTty;
    // The command sets process.exitCode for a real process; it must not leak into mocha's.
    process.exitCode = undefined;
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

export function parseJson<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.exitCode}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}
