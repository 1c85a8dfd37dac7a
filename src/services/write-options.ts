/** What every write service takes from the command line. */
export interface WriteOptions {
  /** Do the change in a transaction and roll it back: the result shows what it would give. */
  dryRun?: boolean;
}
