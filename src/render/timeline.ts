import type {CellFormatter, DetailSection} from './view.js';

export interface TimelineState {
  type: string;
  name: string;
  timestamp: string;
  message: string | null;
}

export interface TimelineStep {
  state: TimelineState;
  /** When the run entered the state, milliseconds since the epoch (UTC). */
  enteredMs: number;
  /** Time spent in the state until the next one; for the last state, until `nowMs` unless it is final. */
  spentMs: number | null;
  /** The last state, still current (not a final state): its time runs up to now. */
  current: boolean;
}

const FINAL_TYPES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);

/**
 * A run's state history as time spent in each state. Every instant is cut to whole
 * milliseconds first, so the durations shown add up exactly to the total shown.
 */
export function buildTimeline(history: readonly TimelineState[], nowMs: number): {steps: TimelineStep[]; totalMs: number} {
  const entered = history.map((state) => Math.floor(Date.parse(state.timestamp)));
  const steps = history.map((state, index): TimelineStep => {
    const last = index === history.length - 1;
    const current = last && !FINAL_TYPES.has(state.type);
    const until = last ? (current ? Math.max(nowMs, entered[index]) : null) : entered[index + 1];
    return {state, enteredMs: entered[index], spentMs: until === null ? null : until - entered[index], current};
  });
  const totalMs = steps.reduce((sum, step) => sum + (step.spentMs ?? 0), 0);
  return {steps, totalMs};
}

/** UTC with millisecond precision: 2026-01-31 12:00:00.123Z. */
export function utcMillis(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ');
}

/** Milliseconds as "2h 03m 04.567s", "4.567s" or "0.000s": every unit down to the millisecond. */
export function preciseDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = (rest / 1000).toFixed(3);
  const parts: string[] = [];
  if (days) parts.push(`${days}d`);
  if (days || hours) parts.push(`${String(hours).padStart(parts.length ? 2 : 1, '0')}h`);
  if (days || hours || minutes) parts.push(`${String(minutes).padStart(parts.length ? 2 : 1, '0')}m`);
  parts.push(`${parts.length ? seconds.padStart(6, '0') : seconds}s`);
  return sign + parts.join(' ');
}

/** The "State timeline" section of flow-run / task-run inspect. */
export function timelineSection(history: readonly TimelineState[], fmt: CellFormatter, nowMs = Date.now()): DetailSection {
  const {steps, totalMs} = buildTimeline(history, nowMs);
  const rows = steps.map((step) => [
    utcMillis(step.enteredMs),
    fmt.state(step.state.type, step.state.name),
    step.spentMs === null ? 'final' : `${preciseDuration(step.spentMs)}${step.current ? ' so far' : ''}`,
    step.state.message ?? '',
  ]);
  if (steps.length > 1 || steps[0]?.current) rows.push(['', 'total', preciseDuration(totalMs), '']);
  return {title: 'State timeline (UTC)', headers: ['ENTERED', 'STATE', 'TIME IN STATE', 'MESSAGE'], rows, empty: '(no states recorded)'};
}
