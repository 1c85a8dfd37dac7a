import {CliError, unavailableError} from '../errors.js';

/**
 * A driver's refusal to write, caught where no check could foresee it (rights revoked while
 * a command ran, a table the role may not touch): exit 5 with the cause in words, never the
 * driver's text. The transaction it interrupted has rolled back.
 */
export function accessErrorOf(error: Error & {code?: unknown}): CliError | undefined {
  const code = typeof error.code === 'string' ? error.code : '';
  if (code.startsWith('SQLITE_READONLY')) {
    return unavailableError('cannot write to the SQLite database: the file or its folder is read-only (prefectdb db status says why)');
  }
  if (code === '42501') {
    return unavailableError('cannot write to the PostgreSQL database: the role lacks a privilege this change needs (prefectdb db status says which)');
  }
  if (code === '25006') {
    return unavailableError('cannot write to the PostgreSQL database: the session is read-only (a standby, or default_transaction_read_only)');
  }
  return undefined;
}
