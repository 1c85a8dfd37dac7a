/** A single-quoted SQL string literal, the same on both dialects. */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
