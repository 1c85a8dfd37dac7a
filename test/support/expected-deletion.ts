import type {Database} from '../../src/db/connection.js';

/**
 * What deleting some flow runs and task runs must remove, computed here step by step with
 * plain queries (not with the code under test): the subflow closure walked level by level,
 * then every dependent row by id. Returns ids per table.
 */
export async function expectedDeletion(
  db: Database,
  request: {flowRuns?: string[]; taskRuns?: string[]; keepSubflows?: boolean},
): Promise<Record<string, Set<string>>> {
  const {knex} = db;
  const ids = async (query: import('knex').Knex.QueryBuilder) => ((await query) as Array<{id: string}>).map((r) => String(r.id).toLowerCase());
  const has = async (table: string) => (db.dialect === 'sqlite' ? (await knex.raw(`select 1 from sqlite_master where name = ?`, [table])).length > 0 : (await knex.schema.hasTable(table)));
  const flowRuns = new Set(request.flowRuns ?? []);
  const taskRoots = new Set(request.taskRuns ?? []);
  let frontierTasks = [...taskRoots];
  let frontierRuns = [...flowRuns];
  while (!request.keepSubflows && (frontierRuns.length > 0 || frontierTasks.length > 0)) {
    const tasks = frontierRuns.length ? await ids(knex('task_run').whereIn('flow_run_id', frontierRuns).select('id')) : [];
    const children = [...tasks, ...frontierTasks].length ? await ids(knex('flow_run').whereIn('parent_task_run_id', [...tasks, ...frontierTasks]).select('id')) : [];
    frontierRuns = children.filter((id) => !flowRuns.has(id));
    for (const id of frontierRuns) flowRuns.add(id);
    frontierTasks = [];
  }
  const runs = [...flowRuns];
  const roots = [...taskRoots];
  const taskRuns = new Set([...roots, ...(runs.length ? await ids(knex('task_run').whereIn('flow_run_id', runs).select('id')) : [])]);
  const tasks = [...taskRuns];
  const taskStates = tasks.length ? await ids(knex('task_run_state').whereIn('task_run_id', tasks).select('id')) : [];
  const out: Record<string, Set<string>> = {
    flow_run: flowRuns,
    flow_run_state: new Set(runs.length ? await ids(knex('flow_run_state').whereIn('flow_run_id', runs).select('id')) : []),
    task_run: taskRuns,
    task_run_state: new Set(taskStates),
    task_run_state_cache: new Set((await has('task_run_state_cache')) && taskStates.length ? await ids(knex('task_run_state_cache').whereIn('task_run_state_id', taskStates).select('id')) : []),
    flow_run_input: new Set((await has('flow_run_input')) && runs.length ? await ids(knex('flow_run_input').whereIn('flow_run_id', runs).select('id')) : []),
    log: new Set([
      ...(runs.length ? await ids(knex('log').whereIn('flow_run_id', runs).select('id')) : []),
      ...(roots.length ? await ids(knex('log').whereIn('task_run_id', roots).select('id')) : []),
    ]),
    artifact: new Set([
      ...(runs.length ? await ids(knex('artifact').whereIn('flow_run_id', runs).select('id')) : []),
      ...(roots.length ? await ids(knex('artifact').whereIn('task_run_id', roots).select('id')) : []),
    ]),
  };
  return out;
}

export function countsOf(expected: Record<string, Set<string>>): Record<string, number> {
  return Object.fromEntries(Object.entries(expected).map(([table, set]) => [table, set.size]));
}
