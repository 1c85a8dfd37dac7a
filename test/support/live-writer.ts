import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

/**
 * A live Prefect-like writer on a SQLite file, in a separate process (live-writer-process.ts),
 * for reliability tests: start it, run the command under test beside it, stop it and check
 * that it saw no error and that every run it committed is still there.
 */
export interface LiveWriterReport {
  /** Ids of the flow runs whose insert transaction committed, in order. */
  committed: string[];
  /** State rows written (first states and later ones). */
  states: number;
  /** Messages of failed transactions; a healthy run has none. */
  errors: string[];
  /** The longest wait for BEGIN IMMEDIATE, in milliseconds: how long others held the lock. */
  longestWaitMs: number;
  /** Runs committed per second over the writer's life. */
  runsPerSecond: number;
}

export interface LiveWriter {
  stop(): Promise<LiveWriterReport>;
}

const SCRIPT = fileURLToPath(new URL('./live-writer-process.ts', import.meta.url));

export async function startLiveWriter(file: string, options: {runsPerSecond?: number} = {}): Promise<LiveWriter> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, file, String(options.runsPerSecond ?? 200)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('live-writer ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`live writer exited early (${code}): ${stderr}`)));
  });
  const started = performance.now();
  return {
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) throw new Error(`live writer exited with ${code}: ${stderr}`);
      const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Omit<LiveWriterReport, 'runsPerSecond'>;
      return {...report, runsPerSecond: report.committed.length / seconds};
    },
  };
}
