import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface TerminalResult {
  /** Everything the terminal showed (stdout and stderr together, control sequences kept). */
  screen: string;
  exitCode: number;
}

/** Quotes one argument for sh. */
const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

export function hasScript(): boolean {
  return spawnSync('script', ['--version'], {encoding: 'utf8'}).status === 0;
}

/**
 * Runs the built prefectdb on a pseudo-terminal through util-linux `script`, as a person at a
 * terminal would: stdin, stdout and stderr are all a TTY. `input` is typed in.
 */
export function runOnTerminal(argv: string[], input = '', env: Record<string, string> = {}): TerminalResult {
  const command = [process.execPath, `${ROOT}bin/run.js`, ...argv].map(quote).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1', ...env},
    timeout: 120_000,
  });
  return {screen: result.stdout, exitCode: result.status ?? 1};
}
