// Exit codes are part of the CLI's contract (README, design §8).
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  refused: 4,
  unavailable: 5,
  problemsFound: 6,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const CODE_NAMES: Record<ExitCodeValue, string> = {
  0: 'OK',
  1: 'UNEXPECTED',
  2: 'USAGE',
  3: 'NOT_FOUND',
  4: 'REFUSED',
  5: 'DATABASE_UNAVAILABLE',
  6: 'PROBLEMS_FOUND',
};

/** An error the user can act on: one line of message, a documented exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;

  constructor(message: string, exitCode: ExitCodeValue) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }

  get codeName(): string {
    return CODE_NAMES[this.exitCode];
  }
}

export const usageError = (message: string) => new CliError(message, ExitCode.usage);
export const notFoundError = (message: string) => new CliError(message, ExitCode.notFound);
export const refusedError = (message: string) => new CliError(message, ExitCode.refused);
export const unavailableError = (message: string) => new CliError(message, ExitCode.unavailable);

export function codeNameOf(exitCode: number): string {
  return CODE_NAMES[exitCode as ExitCodeValue] ?? 'UNEXPECTED';
}
