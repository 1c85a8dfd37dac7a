/** How much of a bad value an error message repeats (design §8: a short prefix, never the whole input). */
const QUOTE_LIMIT = 40;

/**
 * A user-supplied value as an error message may show it: quoted, control characters
 * escaped (so a message stays one line), cut to a short prefix.
 */
export function quoted(value: string): string {
  const chars = [...value];
  const cut = chars.length > QUOTE_LIMIT ? chars.slice(0, QUOTE_LIMIT).join('') + '…' : value;
  // eslint-disable-next-line no-control-regex
  const visible = cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${visible}"`;
}

/** The longest error message printed; longer ones (a list of valid names, say) are cut. */
const MESSAGE_LIMIT = 1_200;
const LONG_WORD = /\S{101,}/g;

/**
 * An error message safe to print: control characters escaped, any long word (an echoed
 * value, a token from stdin) cut to a short prefix, the whole cut to a bounded length.
 * Every error goes through it, oclif's own parse errors included, so no message can echo
 * a 100 kB value. Line breaks are kept (oclif's messages add a hint on a second line).
 */
export function boundedMessage(message: string): string {
  const lines = message.split(/\r?\n/).map((line) =>
    // eslint-disable-next-line no-control-regex
    line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .replace(LONG_WORD, (word) => `${[...word].slice(0, QUOTE_LIMIT).join('')}…`),
  );
  const text = lines.join('\n');
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT - 1)}…` : text;
}
