/**
 * Where a long operation stands. Services report it; the command decides whether and how
 * to show it (a line redrawn on a stderr terminal, see render/progress.ts), so services
 * stay free of any output.
 */
export interface Progress {
  /** The step in words, with its place in the whole: "table 3 of 36: flow_run". */
  label: string;
  /** Units done and expected in this step; a step without a measure leaves them out. */
  done?: number;
  total?: number;
  /** What `done` counts: "rows", "runs", "indexes". */
  unit?: string;
}

export type ProgressListener = (progress: Progress) => void;

/** "3 of 36" with thousands separators. */
export function position(index: number, count: number): string {
  return `${index.toLocaleString('en-US')} of ${count.toLocaleString('en-US')}`;
}
