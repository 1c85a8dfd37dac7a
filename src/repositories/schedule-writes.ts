import {notFoundError, usageError} from '../errors.js';
import {type Db, existingColumns, isUuid, type RepositoryContext, type Row} from './common.js';
import {encodeRowValues, quoteIdentifier, valuesPlaceholders} from './encode-rows.js';

/** The deployment_schedule row Prefect writes for a new schedule (columns of this revision only). */
export async function insertSchedule(ctx: RepositoryContext, db: Db, row: Row): Promise<void> {
  const columns = existingColumns(ctx, 'deployment_schedule', Object.keys(row));
  await db.raw(
    `insert into deployment_schedule (${columns.map(quoteIdentifier).join(', ')}) values ${valuesPlaceholders(columns.length, 1)}`,
    encodeRowValues(ctx, 'deployment_schedule', columns, [row]),
  );
}

export async function slugTaken(ctx: RepositoryContext, db: Db, deploymentId: string, slug: string): Promise<boolean> {
  const row = await db('deployment_schedule').where({deployment_id: ctx.db.codec.encodeUuid(deploymentId), slug}).first('id');
  return Boolean(row);
}

/** A schedule of the deployment by id (or unique id prefix) or slug. Not found → exit 3. */
export async function resolveSchedule(ctx: RepositoryContext, db: Db, deploymentId: string, reference: string): Promise<string> {
  const deployment = ctx.db.codec.encodeUuid(deploymentId);
  const bySlug = ctx.schema.hasColumn('deployment_schedule', 'slug')
    ? await db('deployment_schedule').where({deployment_id: deployment, slug: reference}).first('id')
    : undefined;
  if (bySlug) return String(bySlug.id).toLowerCase();
  const value = reference.trim().toLowerCase();
  if (/^[0-9a-f][0-9a-f-]{0,35}$/.test(value)) {
    const rows: Array<{id: string}> = isUuid(value)
      ? await db('deployment_schedule').where({deployment_id: deployment, id: value}).select('id')
      : await ctx.sql.idStartsWith(db('deployment_schedule').select('id').where('deployment_id', deployment), 'id', value).limit(2);
    if (rows.length === 1) return String(rows[0].id).toLowerCase();
    if (rows.length > 1) throw usageError(`ambiguous schedule id prefix "${value}": give more characters`);
  }
  throw notFoundError(`the deployment has no schedule with id or slug "${reference.slice(0, 40)}" (see \`deployment schedule ls\`)`);
}

/** Switches a schedule on or off; `updated` is bumped as Prefect's ORM does. */
export async function setScheduleActive(ctx: RepositoryContext, db: Db, scheduleId: string, active: boolean, now: string): Promise<void> {
  const {codec} = ctx.db;
  await db('deployment_schedule')
    .where('id', codec.encodeUuid(scheduleId))
    .update({active: codec.encodeBoolean(active), updated: codec.encodeTimestamp(now)});
}

export async function deleteSchedule(ctx: RepositoryContext, db: Db, scheduleId: string): Promise<void> {
  await db('deployment_schedule').where('id', ctx.db.codec.encodeUuid(scheduleId)).delete();
}

/** The ids of a deployment's schedules, in Prefect's order (most recently updated first). */
export async function scheduleIdsOf(ctx: RepositoryContext, db: Db, deploymentId: string): Promise<string[]> {
  const rows: Array<{id: string}> = await db('deployment_schedule')
    .where('deployment_id', ctx.db.codec.encodeUuid(deploymentId))
    .orderBy([{column: 'updated', order: 'desc'}, {column: 'id'}])
    .select('id');
  return rows.map((r) => String(r.id).toLowerCase());
}
