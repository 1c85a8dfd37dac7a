import {decodeRow, existingColumns, type RepositoryContext, type Row} from './common.js';

/**
 * Prefect's foreman defaults (PREFECT_SERVER_SERVICES_FOREMAN_*): a worker is offline once
 * its last heartbeat is older than its heartbeat interval (30 s when it sent none) times 3.
 */
export const FALLBACK_HEARTBEAT_INTERVAL_SECONDS = 30;
export const INACTIVITY_HEARTBEAT_MULTIPLE = 3;

export type WorkerStatus = 'ONLINE' | 'OFFLINE';

/** A worker as Prefect's REST API names its fields; status derived from the heartbeat. */
export interface WorkerRecord {
  id: string;
  created: string;
  updated: string;
  name: string;
  work_pool_id: string;
  last_heartbeat_time: string;
  heartbeat_interval_seconds: number | null;
  status: WorkerStatus;
}

const WORKER_COLUMNS = ['id', 'created', 'updated', 'name', 'work_pool_id', 'last_heartbeat_time', 'heartbeat_interval_seconds'] as const;

/**
 * ONLINE or OFFLINE as the foreman would record it now. The stored column is only as fresh
 * as the server's last foreman pass (and absent before 2.18.2), so it is not trusted.
 */
export function workerStatus(lastHeartbeat: string, intervalSeconds: number | null, nowMillis: number): WorkerStatus {
  const allowedMillis = (intervalSeconds || FALLBACK_HEARTBEAT_INTERVAL_SECONDS) * INACTIVITY_HEARTBEAT_MULTIPLE * 1000;
  return nowMillis - Date.parse(lastHeartbeat) <= allowedMillis ? 'ONLINE' : 'OFFLINE';
}

/** Workers of the given pools, most recent heartbeat first. */
export async function listWorkers(ctx: RepositoryContext, poolIds: string[], nowMillis: number): Promise<WorkerRecord[]> {
  if (poolIds.length === 0) return [];
  const rows = await ctx.db
    .knex('worker')
    .select(existingColumns(ctx, 'worker', WORKER_COLUMNS))
    .whereIn('work_pool_id', poolIds)
    .orderBy([{column: 'last_heartbeat_time', order: 'desc'}, {column: 'name'}, {column: 'id'}]);
  return rows.map((raw: Row) => {
    const row = decodeRow(ctx, 'worker', raw);
    const interval = (row.heartbeat_interval_seconds as number | null) ?? null;
    return {
      id: row.id as string,
      created: row.created as string,
      updated: row.updated as string,
      name: row.name as string,
      work_pool_id: row.work_pool_id as string,
      last_heartbeat_time: row.last_heartbeat_time as string,
      heartbeat_interval_seconds: interval,
      status: workerStatus(row.last_heartbeat_time as string, interval, nowMillis),
    };
  });
}
