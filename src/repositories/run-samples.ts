import {whereIdIn} from '../db/sql-dialect.js';

import type {RepositoryContext} from './common.js';

export type SampledRunKind = 'flow_run' | 'task_run';

/** A run as a confirmation names it: enough for a person to recognise what was selected. */
export interface RunSample {
  id: string;
  name: string;
  state_name: string | null;
  flow_name: string | null;
}

/** The runs with these ids, in the order given (missing ones left out). */
export async function readRunSamples(ctx: RepositoryContext, kind: SampledRunKind, ids: readonly string[]): Promise<RunSample[]> {
  if (ids.length === 0) return [];
  const {codec} = ctx.db;
  const query = ctx.db.knex(kind).where((q) => whereIdIn(q, `${kind}.id`, ids));
  const rows: Array<{id: unknown; name: string; state_name: string | null; flow_name: string | null}> =
    kind === 'flow_run'
      ? await query.leftJoin('flow', 'flow.id', 'flow_run.flow_id').select('flow_run.id', 'flow_run.name', 'flow_run.state_name', {flow_name: 'flow.name'})
      : await query.select('task_run.id', 'task_run.name', 'task_run.state_name', ctx.db.knex.raw('null as flow_name'));
  const byId = new Map(rows.map((row) => [String(codec.decodeUuid(row.id)), row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [{id, name: row.name, state_name: row.state_name, flow_name: row.flow_name}] : [];
  });
}
