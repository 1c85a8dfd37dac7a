const CODES = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  grey: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
} as const;

export type Colour = keyof typeof CODES;

export function paint(text: string, colour: Colour | undefined, enabled: boolean): string {
  if (!enabled || !colour || text === '') return text;
  const [open, close] = CODES[colour];
  return `\u001B[${open}m${text}\u001B[${close}m`;
}

// Roughly the Prefect UI's palette; the state name is always printed as well.
const STATE_COLOURS: Record<string, Colour> = {
  COMPLETED: 'green',
  FAILED: 'red',
  CRASHED: 'red',
  RUNNING: 'blue',
  SCHEDULED: 'yellow',
  PENDING: 'grey',
  CANCELLING: 'grey',
  CANCELLED: 'grey',
  PAUSED: 'grey',
};

export function stateColour(stateType: string | null | undefined): Colour | undefined {
  return stateType ? STATE_COLOURS[stateType] : undefined;
}
