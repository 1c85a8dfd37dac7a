/**
 * The `copy` of a batch rebuild that carries the named columns across unchanged, as
 * alembic's batch mode does for every column the old and new tables share.
 */
export function copyColumns(columns: string[]): Record<string, string> {
  return Object.fromEntries(columns.map((column) => [column, `"${column}"`]));
}
