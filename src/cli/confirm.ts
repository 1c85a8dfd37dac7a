import {refusedError} from '../errors.js';

export interface ConfirmRequest {
  /** What will happen, as a question without the "[y/N]": "Delete 1,204 flow runs?" */
  question: string;
  /** Lines naming a sample of what was selected, shown above the question on a terminal. */
  sample?: readonly string[];
  yes?: boolean;
  dryRun?: boolean;
}

/**
 * Asks before a destructive change. A dry run and `--yes` need no answer; on a terminal the
 * user is asked on stderr; without a terminal the change is refused (exit 4) unless `--yes`,
 * because a script that forgot `--yes` must not destroy anything.
 */
export async function confirmChange(request: ConfirmRequest, io: PromptIO = terminalIO()): Promise<void> {
  if (request.dryRun || request.yes) return;
  if (!io.interactive) {
    throw refusedError(`${stripQuestionMark(request.question)}: refusing without confirmation (pass --yes to go ahead, or --dry-run to see what would change)`);
  }
  const shown = request.sample && request.sample.length > 0 ? `${request.sample.join('\n')}\n` : '';
  const answer = (await io.ask(`${shown}${request.question} [y/N] `)).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') throw refusedError('cancelled: nothing was changed');
}

export interface PromptIO {
  interactive: boolean;
  ask(prompt: string): Promise<string>;
}

export function terminalIO(): PromptIO {
  return {
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    async ask(prompt: string): Promise<string> {
      const {createInterface} = await import('node:readline/promises');
      const rl = createInterface({input: process.stdin, output: process.stderr});
      try {
        return await rl.question(prompt);
      } finally {
        rl.close();
      }
    },
  };
}

function stripQuestionMark(question: string): string {
  return question.replace(/\?\s*$/, '');
}
