/** The text of a `--flag JSON|-` value: "-" reads all of stdin. */
export async function readValueOrStdin(value: string): Promise<string> {
  if (value !== '-') return value;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
