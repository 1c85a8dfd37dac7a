import {CliError} from '../errors.js';
import {boundedMessage, quoted} from './bounded.js';

/**
 * What the user is told. An error prefectdb did not foresee may carry SQL or driver
 * internals: only its kind is named (the details with DEBUG=1). Any message is bounded,
 * and argv values longer than a short prefix are cut wherever oclif echoed them.
 */
export function userMessage(error: Error & {code?: unknown; oclif?: unknown}, argv: readonly string[]): string {
  if (!(error instanceof CliError) && !error.oclif) {
    const kind = typeof error.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(error.code) ? error.code : error.name || 'Error';
    return `unexpected failure (${kind}); run again with DEBUG=1 for the details`;
  }
  let message = (error.message || String(error)).trim();
  for (const token of argv) {
    for (const value of [token, token.slice(token.indexOf('=') + 1)]) {
      if (value.length > 40 && message.includes(value)) message = message.replaceAll(value, quoted(value).slice(1, -1));
    }
  }
  return boundedMessage(message);
}
