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
