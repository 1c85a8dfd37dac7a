import {toConfiguredId, type Hook} from '@oclif/core';

/**
 * A mistyped command. On a terminal, @oclif/plugin-not-found asks "Did you mean …?" and runs
 * the suggestion when confirmed; that plugin says nothing of its suggestion when stdin is not
 * a terminal (scripts, CI), so there the suggestion is printed. Exit 127 either way, as a
 * shell does for an unknown command.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  if (process.stdin.isTTY) {
    const {default: interactive} = await import('@oclif/plugin-not-found');
    return interactive.call(this, options);
  }
  const visible = options.config.commands.filter((command) => !command.hidden);
  const candidates = [...visible.map((command) => command.id), ...visible.flatMap((command) => command.aliases)];
  const typed = toConfiguredId(options.id, options.config);
  const suggestion = closest(options.id, candidates);
  const hint = suggestion ? ` Did you mean "${options.config.bin} ${toConfiguredId(suggestion, options.config)}"?` : '';
  const shown = typed.length > 60 ? `${typed.slice(0, 60)}…` : typed;
  // One line, like every other prefectdb error (oclif's this.error would wrap it at 80 columns).
  process.stderr.write(`Error: "${shown}" is not a ${options.config.bin} command.${hint} (${options.config.bin} help lists them all)\n`);
  this.exit(127);
};

export default hook;

function closest(target: string, ids: string[]): string | undefined {
  let best: {id: string; distance: number} | undefined;
  for (const id of ids) {
    const distance = editDistance(target, id);
    if (!best || distance < best.distance) best = {id, distance};
  }
  // A suggestion further away than half the command is a guess, not a typo.
  return best && best.distance <= Math.max(2, Math.ceil(best.id.length / 2)) ? best.id : undefined;
}

function editDistance(a: string, b: string): number {
  if (a.length > 200) return Number.POSITIVE_INFINITY;
  let previous = Array.from({length: b.length + 1}, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
