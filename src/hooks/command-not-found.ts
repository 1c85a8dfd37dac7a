import {toConfiguredId, type Hook} from '@oclif/core';

import {closestName} from '../cli/closest-name.js';

/**
 * A mistyped command: one line naming the closest command, exit 127 as a shell gives for an
 * unknown command. On a terminal the suggestion is offered to run only when it merely reads
 * (ls, inspect, …), and only on an explicit "y": a bare Enter is No. A command that can
 * change the database is never run from a guess, whatever its flags say (`--yes` was typed
 * for the command the user meant to type, not for the one guessed).
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const {config} = options;
  const visible = config.commands.filter((command) => !command.hidden);
  const candidates = [...visible.map((command) => command.id), ...visible.flatMap((command) => command.aliases)];
  const typed = toConfiguredId(options.id, config);
  const suggestion = closestName(options.id, candidates);
  const shown = typed.length > 60 ? `${typed.slice(0, 60)}…` : typed;
  const meant = suggestion ? `${config.bin} ${toConfiguredId(suggestion, config)}` : undefined;
  const argv = options.argv?.length ? options.argv : options.id.split(':').slice(suggestion?.split(':').length ?? 0);
  if (suggestion && onlyReads(suggestion, argv) && process.stdin.isTTY && process.stderr.isTTY) {
    const {terminalIO} = await import('../cli/confirm.js');
    const answer = (await terminalIO().ask(`"${shown}" is not a ${config.bin} command. Run "${meant}" instead? [y/N] `)).trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') return config.runCommand(suggestion, argv);
  }
  const hint = meant ? ` Did you mean "${meant}"?` : '';
  // One line, like every other prefectdb error (oclif's this.error would wrap it at 80 columns).
  process.stderr.write(`Error: "${shown}" is not a ${config.bin} command.${hint} (${config.bin} help lists them all)\n`);
  this.exit(127);
};

export default hook;

const READ_VERBS = new Set(['ls', 'inspect', 'logs', 'get', 'status', 'help']);

/** Whether running this command with these arguments can only read: by its verb, never by a guess at its flags. */
export function onlyReads(commandId: string, argv: readonly string[]): boolean {
  const verb = commandId.split(':').at(-1) ?? '';
  return READ_VERBS.has(verb) && !argv.includes('--fix');
}
