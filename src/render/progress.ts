/**
 * A one-line progress bar redrawn in place on stderr — only when stderr is a terminal, so
 * pipes, logs and --json consumers never see control characters.
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
    private readonly total: number,
  ) {}

  static forStderr(label: string, total: number): ProgressBar | undefined {
    return process.stderr.isTTY ? new ProgressBar(process.stderr, label, total) : undefined;
  }

  update(done: number, rows: number): void {
    const now = Date.now();
    if (now - this.lastDraw < 200 && done < this.total) return;
    this.lastDraw = now;
    const fraction = this.total === 0 ? 1 : done / this.total;
    const width = 30;
    const filled = Math.round(fraction * width);
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? Math.round(rows / elapsed) : 0;
    const eta = fraction > 0 ? Math.round(elapsed / fraction - elapsed) : 0;
    const line =
      `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ` +
      `${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} · ${rate.toLocaleString('en-US')} rows/s · ETA ${eta}s`;
    this.stream.write(`\r${line}\x1b[K`);
  }

  finish(): void {
    this.stream.write('\r\x1b[K');
  }
}

/**
 * One line on a stderr terminal naming the step under way ("db doctor 3/17 late-runs… 2.1 s
 * so far for the last"), redrawn in place and cleared at the end; nothing off a terminal.
 */
export class StepProgress {
  private constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  static forStderr(label: string): StepProgress | undefined {
    return process.stderr.isTTY ? new StepProgress(process.stderr, label) : undefined;
  }

  started(step: string, position: number, of: number): void {
    this.stream.write(`\r${this.label} ${position}/${of}: ${step}…\x1b[K`);
  }

  finished(step: string, seconds: number): void {
    this.stream.write(`\r${this.label}: ${step} took ${seconds.toFixed(1)} s\x1b[K`);
  }

  finish(): void {
    this.stream.write('\r\x1b[K');
  }
}
