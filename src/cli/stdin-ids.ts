import {createInterface} from 'node:readline';

/** Expands a lone "-" argument into the newline-separated ids read from stdin. */
export async function expandStdinIds(args: string[]): Promise<string[]> {
  if (!args.includes('-')) return args;
  const fromStdin: string[] = [];
  const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
  for await (const line of lines) {
    const id = line.trim();
    if (id) fromStdin.push(id);
  }
  return args.flatMap((arg) => (arg === '-' ? fromStdin : [arg]));
}
