import {readFileSync} from 'node:fs';

import {packageFolder} from './package-folder.js';

/**
 * The statements of a .sql file kept under migrations/: each ends with a line holding only
 * `;`, so statement bodies may contain semicolons; `--` comment lines are skipped.
 */
export function readSqlStatements(relativePath: string): string[] {
  const text = readFileSync(new URL(relativePath, packageFolder('migrations/')), 'utf8');
  return text
    .split(/^;\s*$/m)
    .map((statement) =>
      statement
        .split('\n')
        .filter((line) => !line.startsWith('-- '))
        .join('\n')
        .trim(),
    )
    .filter(Boolean);
}
