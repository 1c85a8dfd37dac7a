import {closestName} from './closest-name.js';

interface FlagShape {
  name: string;
  char?: string;
}

/**
 * oclif's own parse errors (unknown flag, missing value, bad option, missing argument) as one
 * line in prefectdb's style: the problem, a did-you-mean for a mistyped flag, and where the
 * flags are listed — instead of oclif's message, its usage block and its help hint.
 */
export function parseErrorLine(error: Error & {flags?: unknown}, message: string, flags: readonly FlagShape[], helpCommand: string): string {
  const unknown = Array.isArray(error.flags) ? (error.flags as string[]) : [];
  if (unknown.length > 0) return `${unknownFlagReason(unknown[0], flags)} (${helpCommand} --help lists the flags)`;
  return `${plainReason(message)} (${helpCommand} --help shows the usage)`;
}

function unknownFlagReason(typed: string, flags: readonly FlagShape[]): string {
  const name = typed.split('=')[0];
  const candidates = flags.flatMap((flag) => [`--${flag.name}`, ...(flag.char ? [`-${flag.char}`] : [])]);
  const meant = name.startsWith('--') ? closestName(name, candidates.filter((candidate) => candidate.startsWith('--'))) : undefined;
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return meant ? `unknown flag ${shown}: did you mean ${meant}?` : `unknown flag ${shown}`;
}

function plainReason(message: string): string {
  const text = message
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/\n\s*Note:[\s\S]*$/, '')
    .replace(/See more help with --help/g, '')
    .replace(/^The following errors? occurred:/, '');
  const missing = /^\s*Missing \d+ required args?:\n([\s\S]*)$/.exec(text);
  if (missing) {
    // oclif lists one "name  description" per line (descriptions may wrap onto indented lines).
    const entries = missing[1].split('\n').filter((line) => /^\S/.test(line)).map((line) => /^(\S+)\s*(.*)$/.exec(line)!);
    if (entries.length === 1) return `missing argument ${entries[0][1].toUpperCase()}: ${oneLine(missing[1].slice(entries[0][1].length))}`;
    return `missing arguments ${entries.map((entry) => entry[1].toUpperCase()).join(', ')}`;
  }
  const line = oneLine(text).replace(/^Parsing (--[\w-]+) (\w)/, (_, flag: string, first: string) => `${flag}: ${first.toLowerCase()}`);
  return line.charAt(0).toLowerCase() + line.slice(1);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
