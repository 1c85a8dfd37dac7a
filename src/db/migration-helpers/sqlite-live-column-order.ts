import type {Knex} from 'knex';

import type {SqliteRebuild} from '../sqlite-rebuild.js';

/**
 * Alembic's batch mode builds the new table from the live one it reflects, so the columns keep
 * whatever order the table's history gave them (a downgrade that re-adds columns puts them
 * last, and every later rebuild keeps them there); only the columns the step adds go at the
 * end. This puts a rebuild's columns in that order: those the live table has, in its order, then
 * the new ones in the order `createSql` lists them.
 *
 * `createSql` must be in alembic's layout: one column or constraint per line, each line opened
 * by a tab (a default's continuation lines are not).
 */
export async function inLiveColumnOrder(knex: Knex, rebuild: SqliteRebuild): Promise<SqliteRebuild> {
  const live = ((await knex.raw('SELECT name FROM pragma_table_info(?)', [rebuild.table])) as Array<{name: string}>).map((row) => row.name);
  const open = rebuild.createSql.indexOf('(\n');
  const close = rebuild.createSql.lastIndexOf('\n)');
  if (open < 0 || close < open) throw new Error(`rebuild of ${rebuild.table}: createSql is not in alembic's layout`);
  const items = rebuild.createSql
    .slice(open + 2, close)
    .split(/\n(?=\t)/)
    .map((item) => item.replace(/^\t/, '').replace(/, $/, ''));
  const constraints = items.filter((item) => item.startsWith('CONSTRAINT '));
  const columns = items.filter((item) => !item.startsWith('CONSTRAINT '));
  const nameOf = (item: string) => /^"?(\w+)"?\s/.exec(item)?.[1] ?? item;
  const rank = (item: string) => {
    const position = live.indexOf(nameOf(item));
    return position < 0 ? live.length + columns.indexOf(item) : position;
  };
  const ordered = [...columns].sort((a, b) => rank(a) - rank(b));
  const body = [...ordered, ...constraints].map((item) => `\t${item}`).join(', \n');
  return {...rebuild, createSql: `${rebuild.createSql.slice(0, open)}(\n${body}\n)`};
}
