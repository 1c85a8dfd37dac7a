import {randomUUID} from 'node:crypto';

import type {Database} from '../../src/db/connection.js';

/**
 * Plants, in a seeded database, the shapes a run delete must handle that the seed does not
 * make: a parent run P whose task run is the parent of subflow S, whose task run is the parent
 * of S2; P, S and S2 running under a deployment with a concurrency limit holding their slots;
 * task_run_state_cache rows, a flow_run_input row, and artifact keys whose newest version
 * belongs to the deleted tree (one key keeps an older version elsewhere, one has none).
 */
export interface RunGraph {
  parent: string;
  subflow: string;
  subSubflow: string;
  /** The task runs whose states the cache rows point at, one per run of the tree. */
  parentTask: string;
  subflowTask: string;
  /** A run outside the tree, holding the older version of the shared key. */
  bystander: string;
  deployment: string;
  limit: string;
  /** Artifact key with an older version on the bystander: repointed to it. */
  sharedKey: string;
  sharedOlderArtifact: string;
  /** Artifact key with versions only in the tree: its collection is removed. */
  treeOnlyKey: string;
  cacheRows: string[];
  input: string;
}

export async function plantRunGraph(db: Database): Promise<RunGraph> {
  const {knex, codec} = db;
  const ts = (iso: string) => codec.encodeTimestamp(iso);
  const now = ts('2026-01-15T12:00:00.000000Z');
  // Four runs that each have task runs; the tree and a bystander.
  const runs: Array<{id: string}> = await knex('flow_run')
    .whereExists((q) => q.from('task_run').whereRaw('task_run.flow_run_id = flow_run.id').select(knex.raw('1')))
    .whereNull('parent_task_run_id')
    .orderBy('id')
    .limit(4)
    .select('id');
  const [parent, subflow, subSubflow, bystander] = runs.map((r) => String(r.id));
  const taskOf = async (runId: string) => String((await knex('task_run').where('flow_run_id', runId).orderBy('id').first('id')).id);
  const parentTask = await taskOf(parent);
  const subflowTask = await taskOf(subflow);
  await knex('flow_run').where('id', subflow).update({parent_task_run_id: parentTask});
  await knex('flow_run').where('id', subSubflow).update({parent_task_run_id: subflowTask});

  const deployment = String((await knex('deployment').orderBy('id').first('id')).id);
  const limit = randomUUID();
  await knex('concurrency_limit_v2').insert({
    id: limit, created: now, updated: now, active: codec.encodeBoolean(true), name: `deployment:${deployment}`,
    limit: 10, active_slots: 5, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 2,
  });
  await knex('deployment').where('id', deployment).update({concurrency_limit_id: limit});
  await knex('flow_run').whereIn('id', [parent, subflow, subSubflow]).update({deployment_id: deployment});
  // Each run of the tree moves to a state that holds a deployment slot, through a new newest state row.
  for (const [runId, type, name] of [[parent, 'RUNNING', 'Running'], [subflow, 'PENDING', 'Pending'], [subSubflow, 'CANCELLING', 'Cancelling']]) {
    const stateId = randomUUID();
    const at = ts('2026-01-15T12:30:00.000000Z');
    await knex('flow_run_state').insert({id: stateId, created: now, updated: now, type, timestamp: at, name, state_details: codec.encodeJson({}), flow_run_id: runId});
    await knex('flow_run').where('id', runId).update({state_id: stateId, state_type: type, state_name: name, state_timestamp: at});
  }

  const cacheRows: string[] = [];
  for (const task of [parentTask, subflowTask]) {
    const state = String((await knex('task_run_state').where('task_run_id', task).orderBy('id').first('id')).id);
    const id = randomUUID();
    cacheRows.push(id);
    await knex('task_run_state_cache').insert({id, created: now, updated: now, cache_key: `key-${task}`, cache_expiration: null, task_run_state_id: state});
  }
  const input = randomUUID();
  await knex('flow_run_input').insert({id: input, created: now, updated: now, key: 'approval', value: '"yes"', flow_run_id: parent, sender: null});

  const sharedKey = `shared-${randomUUID().slice(0, 8)}`;
  const treeOnlyKey = `tree-only-${randomUUID().slice(0, 8)}`;
  const artifact = async (key: string, flowRunId: string, created: string) => {
    const id = randomUUID();
    await knex('artifact').insert({
      id, created: ts(created), updated: ts(created), key, type: 'markdown', data: codec.encodeJson(`# ${key} ${created}`, 'json_plain'),
      description: `version of ${created}`, metadata_: codec.encodeJson({n: created}, 'json_plain'), flow_run_id: flowRunId, task_run_id: null,
    });
    return id;
  };
  const sharedOlderArtifact = await artifact(sharedKey, bystander, '2026-01-10T00:00:00.000001Z');
  await artifact(sharedKey, parent, '2026-01-11T00:00:00.000000Z');
  const sharedNewest = await artifact(sharedKey, subSubflow, '2026-01-12T00:00:00.000000Z');
  await artifact(treeOnlyKey, subflow, '2026-01-11T00:00:00.000000Z');
  const treeOnlyNewest = await artifact(treeOnlyKey, parent, '2026-01-12T00:00:00.000000Z');
  for (const [key, latest] of [[sharedKey, sharedNewest], [treeOnlyKey, treeOnlyNewest]]) {
    await knex('artifact_collection').insert({
      id: randomUUID(), created: now, updated: now, key, latest_id: latest,
      data: knex('artifact').where('id', latest).select('data'), description: knex('artifact').where('id', latest).select('description'),
      type: 'markdown', flow_run_id: knex('artifact').where('id', latest).select('flow_run_id'), task_run_id: null,
      metadata_: knex('artifact').where('id', latest).select('metadata_'),
    });
  }
  return {parent, subflow, subSubflow, parentTask, subflowTask, bystander, deployment, limit, sharedKey, sharedOlderArtifact, treeOnlyKey, cacheRows, input};
}
