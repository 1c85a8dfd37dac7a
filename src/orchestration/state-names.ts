import {STATE_TYPES, type StateType} from './contract.js';

/**
 * Prefect's named states and the type each belongs to (prefect/states.py, the server's rules
 * and the engines). "NotReady" is written by the client engines as a Pending state (upstream
 * not finished); the server also writes a Paused "NotReady" for tasks of a paused flow — the
 * common one wins here, and `--state-type` picks the other.
 */
const NAMED_STATES: Readonly<Record<string, StateType>> = Object.freeze({
  Late: 'SCHEDULED',
  AwaitingRetry: 'SCHEDULED',
  AwaitingConcurrencySlot: 'SCHEDULED',
  Resuming: 'SCHEDULED',
  Submitting: 'PENDING',
  InfrastructurePending: 'PENDING',
  NotReady: 'PENDING',
  Retrying: 'RUNNING',
  Rerunning: 'RUNNING',
  Cached: 'COMPLETED',
  RolledBack: 'COMPLETED',
  TimedOut: 'FAILED',
  Suspended: 'PAUSED',
});

/** Prefect's default name of a type: its words capitalised ("CANCELLING" → "Cancelling"). */
export function defaultStateName(type: StateType): string {
  return type
    .split('_')
    .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
    .join(' ');
}

/** The type a state name implies (exact names first, then case-insensitively), or null. */
export function stateTypeOfName(name: string): StateType | null {
  const exact = NAMED_STATES[name];
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const [known, type] of Object.entries(NAMED_STATES)) if (known.toLowerCase() === lower) return type;
  for (const type of STATE_TYPES) if (defaultStateName(type).toLowerCase() === lower) return type;
  return null;
}

/** A state type given on the command line, case-insensitively, or null. */
export function parseStateType(text: string): StateType | null {
  const upper = text.trim().toUpperCase();
  return (STATE_TYPES as readonly string[]).includes(upper) ? (upper as StateType) : null;
}

/** The canonical spelling of a known state name ("late" → "Late"); other names as given. */
export function canonicalStateName(name: string): string {
  const lower = name.toLowerCase();
  for (const known of Object.keys(NAMED_STATES)) if (known.toLowerCase() === lower) return known;
  for (const type of STATE_TYPES) if (defaultStateName(type).toLowerCase() === lower) return defaultStateName(type);
  return name;
}

const TERMINAL_STATE_TYPES: ReadonlySet<StateType> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);

export function isTerminal(type: StateType | null | undefined): boolean {
  return type != null && TERMINAL_STATE_TYPES.has(type);
}
