/**
 * Why the target refused a row, in a few words a user can act on: the kind of constraint
 * and its name or columns, never the statement or the driver's full text.
 */
export function rejectionReason(error: unknown): string {
  const e = error as {code?: string; constraint?: string; column?: string; message?: string};
  const code = String(e.code ?? '');
  const message = String(e.message ?? error);
  switch (code) {
    case '23503':
      return `foreign key violation${e.constraint ? ` (${e.constraint})` : ''}`;
    case '23505':
      return `duplicate key${e.constraint ? ` (${e.constraint})` : ''}`;
    case '23502':
      return `missing value${e.column ? ` for ${e.column}` : ''}`;
    case '23514':
      return `check violation${e.constraint ? ` (${e.constraint})` : ''}`;
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return 'foreign key violation';
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return `duplicate key (${message.replace(/^.*constraint failed:\s*/i, '').slice(0, 80)})`;
    case 'SQLITE_CONSTRAINT_NOTNULL':
      return `missing value (${message.replace(/^.*constraint failed:\s*/i, '').slice(0, 80)})`;
    case 'SQLITE_CONSTRAINT_CHECK':
      return 'check violation';
    default:
      if (code.startsWith('22')) return 'value not accepted by the column type';
      return code ? `refused (${code})` : message.split('\n')[0].slice(0, 80);
  }
}
