/** The stderr line after a write: what changed, or under --dry-run what would have. */
export function reportWrite(message: string, dryRun?: boolean): void {
  process.stderr.write(dryRun ? `Dry run, nothing written: ${message}\n` : `${message}\n`);
}
