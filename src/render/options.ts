export type OutputFormat = 'table' | 'json' | 'jsonl' | 'csv';

export interface RenderOptions {
  format: OutputFormat;
  quiet: boolean;
  absolute: boolean;
  /** ANSI colour in tables: only on a TTY, never with NO_COLOR. */
  color: boolean;
  /** stdout is a terminal: tables get borders. */
  tty: boolean;
}
