import type {Progress} from '../services/progress.js';

// Redraws at most this often, and always when a step starts or ends.
const REDRAW_MS = 200;
const BAR_WIDTH = 30;

/**
 * A one-line progress display redrawn in place on stderr — only when stderr is a terminal,
 * so pipes, logs and --json consumers never see control characters. Each report names its
 * step with its overall position ("table 3 of 36: flow_run"); rate and time left are those
 * of the current step.
 */
export class ProgressLine {
  private lastDraw = 0;
  private label = '';
  private stepStarted = Date.now();
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  /** A display on stderr when it is a terminal; otherwise none (callers pass `undefined` on). */
  static forStderr(): ProgressLine | undefined {
    return process.stderr.isTTY ? new ProgressLine(process.stderr) : undefined;
  }

  /** The listener services take. */
  get listener(): (progress: Progress) => void {
    return (progress) => this.report(progress);
  }

  report(progress: Progress): void {
    const now = Date.now();
    const newStep = progress.label !== this.label;
    if (newStep) {
      this.label = progress.label;
      this.stepStarted = now;
    }
    const stepDone = progress.total !== undefined && progress.done === progress.total;
    if (!newStep && !stepDone && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.drawn = true;
    this.stream.write(`\r${progressText(progress, (now - this.stepStarted) / 1000)}\x1b[K`);
  }

  /** Clears the line, so what follows starts on a clean one. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** "table 3 of 36: flow_run [#####-----] 45% 4,500/10,000 rows · 12,345 rows/s · ETA 3s". */
export function progressText(progress: Progress, elapsedSeconds: number): string {
  const {label, done, total} = progress;
  if (done === undefined) return `${label} …`;
  const unit = progress.unit ?? 'rows';
  const rate = elapsedSeconds > 0 ? Math.round(done / elapsedSeconds) : 0;
  if (total === undefined) return `${label} ${done.toLocaleString('en-US')} ${unit} · ${rate.toLocaleString('en-US')} ${unit}/s`;
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * BAR_WIDTH);
  const eta = fraction > 0 ? Math.round(elapsedSeconds / fraction - elapsedSeconds) : 0;
  return (
    `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(fraction * 100)}% ` +
    `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} · ${rate.toLocaleString('en-US')} ${unit}/s · ETA ${eta}s`
  );
}
