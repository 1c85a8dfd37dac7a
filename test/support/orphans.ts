import {randomUUID} from 'node:crypto';

import type {Database} from '../../src/db/connection.js';

/**
 * Plants the leftovers of Prefect's own deletes in a seeded database: logs and artifacts of
 * runs that no longer exist, a cache row of a missing state, collections whose latest artifact
 * is gone (one key with an older version left, one with none), a Scheduled run of a deleted
 * deployment, and old and recent events with their resources. Returns the planted ids.
 */
export interface PlantedOrphans {
  logs: string[];
  artifacts: string[];
  cacheRows: string[];
  /** Collection repointed to the remaining older version. */
  repointedCollection: string;
  repointedTo: string;
  removedCollection: string;
  scheduledRun: string;
  /** Holds the older version of the repointed key; left alone. */
  liveRun: string;
  oldEvents: string[];
  oldEventResources: string[];
  recentEvents: string[];
}

export async function plantOrphans(db: Database): Promise<PlantedOrphans> {
  const {knex, codec} = db;
  const ts = (iso: string) => codec.encodeTimestamp(iso);
  const now = ts('2026-01-15T12:00:00.000000Z');
  const gone = () => randomUUID();
  const logs: string[] = [];
  for (const [flowRunId, taskRunId] of [[gone(), null], [null, gone()], [gone(), gone()]]) {
    const id = randomUUID();
    logs.push(id);
    await knex('log').insert({id, created: now, updated: now, name: 'prefect.flow_runs', level: 20, flow_run_id: flowRunId, task_run_id: taskRunId, message: 'left behind', timestamp: now});
  }
  const artifact = async (key: string | null, flowRunId: string | null, taskRunId: string | null, created: string) => {
    const id = randomUUID();
    await knex('artifact').insert({
      id, created: ts(created), updated: ts(created), key, type: 'markdown', data: codec.encodeJson('# x', 'json_plain'),
      description: null, metadata_: null, flow_run_id: flowRunId, task_run_id: taskRunId,
    });
    return id;
  };
  // A run no retention cutoff reaches: the latest Scheduled one.
  const liveRun = String((await knex('flow_run').where('state_type', 'SCHEDULED').orderBy('expected_start_time', 'desc').first('id')).id);
  const repointedKey = `orphan-keep-${randomUUID().slice(0, 8)}`;
  const removedKey = `orphan-gone-${randomUUID().slice(0, 8)}`;
  const repointedTo = await artifact(repointedKey, liveRun, null, '2026-01-01T00:00:00.000000Z');
  const artifacts = [
    await artifact(repointedKey, gone(), null, '2026-01-02T00:00:00.000000Z'),
    await artifact(removedKey, null, gone(), '2026-01-02T00:00:00.000000Z'),
    await artifact(null, gone(), null, '2026-01-02T00:00:00.000000Z'),
  ];
  const repointedCollection = randomUUID();
  const removedCollection = randomUUID();
  // Collections already dangling (as Prefect's run delete leaves them) and ones that will dangle.
  await knex('artifact_collection').insert([
    {id: repointedCollection, created: now, updated: now, key: repointedKey, latest_id: artifacts[0], type: 'markdown', flow_run_id: null, task_run_id: null},
    {id: removedCollection, created: now, updated: now, key: removedKey, latest_id: gone(), type: 'markdown', flow_run_id: null, task_run_id: null},
  ]);
  const cacheRows = [randomUUID()];
  await knex('task_run_state_cache').insert({id: cacheRows[0], created: now, updated: now, cache_key: 'k', cache_expiration: null, task_run_state_id: gone()});

  const scheduled = await knex('flow_run').where('state_type', 'SCHEDULED').orderBy('id').first('id');
  await knex('flow_run').where('id', scheduled.id).update({deployment_id: gone()});

  const event = async (occurred: string) => {
    const id = randomUUID();
    const resource = randomUUID();
    await knex('events').insert({
      id, created: now, updated: now, occurred: ts(occurred), event: 'prefect.flow-run.Completed', resource_id: 'prefect.flow-run.x',
      resource: codec.encodeJson({'prefect.resource.id': 'prefect.flow-run.x'}, 'json_plain'), related_resource_ids: '[]', related: '[]',
      payload: codec.encodeJson({}, 'json_plain'), received: ts(occurred), recorded: ts(occurred), follows: null,
    });
    await knex('event_resources').insert({
      id: resource, created: now, updated: now, occurred: ts(occurred), resource_id: 'prefect.flow-run.x', resource_role: '',
      resource: codec.encodeJson({'prefect.resource.id': 'prefect.flow-run.x'}, 'json_plain'), event_id: id,
    });
    return {id, resource};
  };
  const old = [await event('2025-01-01T00:00:00.000000Z'), await event('2025-06-01T00:00:00.000000Z')];
  const recent = [await event('2026-01-15T11:00:00.000000Z')];
  return {
    logs, artifacts, cacheRows, repointedCollection, repointedTo, removedCollection, scheduledRun: String(scheduled.id), liveRun,
    oldEvents: old.map((e) => e.id), oldEventResources: old.map((e) => e.resource), recentEvents: recent.map((e) => e.id),
  };
}
