import {jsonText} from '../db/codecs/json-text.js';
import {paint, stateColour} from './colour.js';
import type {RenderOptions} from './options.js';
import {formatDuration, formatTime} from './time.js';

/** Formats table cells the same way in every command (loaded only for table output). */
export class CellFormatter {
  constructor(private readonly options: RenderOptions) {}

  time(iso: unknown): string {
    return formatTime(iso as string | null, this.options.absolute);
  }

  duration(seconds: unknown): string {
    return formatDuration(seconds as number | null);
  }

  state(type: unknown, name?: unknown): string {
    if (!type && !name) return '';
    const label = String(name ?? type);
    return paint(label, stateColour(type as string), this.options.color);
  }

  dim(text: string): string {
    return paint(text, 'grey', this.options.color);
  }

  text(value: unknown): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'object') return jsonText(value);
    return String(value);
  }

  /** The first line of a long text, cut to `width` characters with an ellipsis (descriptions in lists). */
  summary(text: string | null | undefined, width = 60): string {
    const line = (text ?? '').split('\n')[0];
    return line.length > width ? line.slice(0, width - 1) + '…' : line;
  }
}
