import {deploymentName, flowName, TASK_NAMES, untakenName} from './names.js';
import type {SeedPlan} from './plan.js';
import type {SeededRandom} from './random.js';
import {scheduleJson, type ScheduleSpec} from './schedules.js';
import {HOUR, isoOf, type Micros, MINUTE, SECOND, seconds} from './time.js';
import {uuid4} from './uuid.js';

export type Row = Record<string, unknown>;

export interface FlowInfo {
  id: string;
  name: string;
  /** flow_version: Prefect's hash of the flow's source file. */
  version: string;
  retries: number;
  retryDelaySeconds: number;
  medianDurationSeconds: number;
  /** The task functions its runs call, in order, with their task_key. */
  tasks: Array<{name: string; taskKey: string}>;
}

export interface WorkQueueInfo {
  id: string;
  name: string;
}

export interface DeploymentInfo {
  id: string;
  version: string;
  tags: string[];
  labels: Record<string, string>;
  parameters: Record<string, unknown>;
  workQueue: WorkQueueInfo;
  scheduleId: string;
  schedule: ScheduleSpec;
}

/** The small tables, as rows in domain values, plus what run generation needs to know. */
export interface Catalogue {
  rows: {
    flow: Row[];
    work_pool: Row[];
    work_queue: Row[];
    worker: Row[];
    deployment: Row[];
    deployment_schedule: Row[];
  };
  flows: FlowInfo[];
  deployments: DeploymentInfo[];
}

/** Names already in the database, so appending never breaks a unique constraint. */
export interface TakenNames {
  flows: ReadonlySet<string>;
  workPools: ReadonlySet<string>;
}

const POOLS = [
  {name: 'local-processes', type: 'process', concurrencyLimit: null, queues: ['default', 'critical']},
  {name: 'docker-pool', type: 'docker', concurrencyLimit: 20, queues: ['default']},
  {name: 'kubernetes-pool', type: 'kubernetes', concurrencyLimit: 50, queues: ['default', 'high-memory', 'backfill']},
] as const;

const TEAMS = ['data-eng', 'analytics', 'ml', 'finance'] as const;

/**
 * Flows, work pools (each with its default queue, as Prefect creates them) and workers,
 * deployments with their schedules. Everything was created before the first run and
 * touched last by the workers' recent polls, as on a live server.
 */
export function buildCatalogue(plan: SeedPlan, now: Micros, random: SeededRandom, taken: TakenNames): Catalogue {
  const created = plan.catalogueCreated;
  const rows: Catalogue['rows'] = {flow: [], work_pool: [], work_queue: [], worker: [], deployment: [], deployment_schedule: []};
  const stamp = (at: Micros) => ({created: isoOf(at), updated: isoOf(at)});

  const flows: FlowInfo[] = [];
  for (let i = 0; i < plan.flowCount; i++) {
    const name = untakenName(flowName(i), taken.flows);
    const id = uuid4(random);
    const taskCount = 2 + (i % (TASK_NAMES.length - 1));
    flows.push({
      id,
      name,
      version: [0, 1, 2, 3].map(() => hexHash(random)).join(''),
      retries: i % 3 === 0 ? 2 : 0,
      retryDelaySeconds: i % 3 === 0 ? 30 : 0,
      medianDurationSeconds: [20, 45, 120, 300, 900][i % 5],
      tasks: TASK_NAMES.slice(0, taskCount).map((task) => ({name: task, taskKey: `${task}-${hexHash(random)}`})),
    });
    rows.flow.push({id, ...stamp(created + i * SECOND), name, tags: [], labels: {}});
  }

  const queuesByPool: WorkQueueInfo[][] = [];
  POOLS.forEach((pool, p) => {
    const poolId = uuid4(random);
    const poolCreated = created + p * MINUTE;
    const queues: WorkQueueInfo[] = pool.queues.map((queueName) => ({id: uuid4(random), name: queueName}));
    queuesByPool.push(queues);
    rows.work_pool.push({
      id: poolId,
      ...stamp(poolCreated),
      name: untakenName(pool.name, taken.workPools),
      description: `${pool.type} workers`,
      type: pool.type,
      base_job_template: baseJobTemplate(pool.type),
      is_paused: false,
      concurrency_limit: pool.concurrencyLimit,
      default_queue_id: queues[0].id,
      status: 'READY',
      last_transitioned_status_at: isoOf(now - random.int(1, 48) * HOUR),
      last_status_event_id: null,
      storage_configuration: {bundle_upload_step: null, bundle_execution_step: null, default_result_storage_block_id: null},
    });
    queues.forEach((queue, priority) => {
      rows.work_queue.push({
        id: queue.id,
        ...stamp(poolCreated + priority + 1),
        name: queue.name,
        filter: null,
        description: priority === 0 ? "The work pool's default queue." : '',
        is_paused: false,
        concurrency_limit: priority === 0 ? null : 5,
        // Workers poll every 10 s, so every queue was polled moments ago and is READY.
        last_polled: isoOf(now - seconds(random.between(0.5, 10))),
        priority: priority + 1,
        work_pool_id: poolId,
        status: 'READY',
      });
    });
    for (let w = 0; w < 2; w++) {
      // One healthy worker per pool, and one that stopped heart-beating hours ago.
      const online = w === 0;
      rows.worker.push({
        id: uuid4(random),
        ...stamp(poolCreated + MINUTE + w * SECOND),
        name: `${pool.type}-worker-${hexHash(random)}`,
        last_heartbeat_time: isoOf(online ? now - seconds(random.between(1, 30)) : now - random.int(3, 30) * HOUR),
        work_pool_id: poolId,
        heartbeat_interval_seconds: 30,
        status: online ? 'ONLINE' : 'OFFLINE',
      });
    }
  });

  const deployments: DeploymentInfo[] = [];
  const perFlow = new Map<number, number>();
  for (const planned of plan.deployments) {
    const flow = flows[planned.flowIndex];
    const nth = perFlow.get(planned.flowIndex) ?? 0;
    perFlow.set(planned.flowIndex, nth + 1);
    const id = uuid4(random);
    const pool = planned.index % POOLS.length;
    const workQueue = queuesByPool[pool][planned.index % queuesByPool[pool].length];
    const team = TEAMS[planned.index % TEAMS.length];
    const version = `${1 + (planned.index % 4)}.${planned.index % 7}.0`;
    const tags = [team, deploymentName(nth)];
    const labels = {'prefect.flow.id': flow.id};
    const parameters = {batch_size: 500 * (1 + (planned.index % 4)), dry_run: false};
    const deploymentCreated = created + HOUR + planned.index * MINUTE;
    rows.deployment.push({
      id,
      // Workers' polls set last_polled but leave updated alone (mark_deployments_ready).
      ...stamp(deploymentCreated),
      name: deploymentName(nth),
      tags,
      parameters,
      flow_id: flow.id,
      description: `Runs ${flow.name} for the ${team} team.`,
      infrastructure_document_id: null,
      parameter_openapi_schema: {
        title: 'Parameters',
        type: 'object',
        properties: {batch_size: {default: 500, position: 0, title: 'batch_size', type: 'integer'}, dry_run: {default: false, position: 1, title: 'dry_run', type: 'boolean'}},
      },
      storage_document_id: null,
      version,
      infra_overrides: {},
      path: '.',
      entrypoint: `flows/${flow.name.replaceAll('-', '_')}.py:${flow.name.replaceAll('-', '_')}`,
      work_queue_name: workQueue.name,
      created_by: null,
      updated_by: null,
      work_queue_id: workQueue.id,
      pull_steps: [{'prefect.deployments.steps.set_working_directory': {directory: '/opt/prefect/flows'}}],
      enforce_parameter_schema: true,
      last_polled: isoOf(now - seconds(random.between(0.5, 10))),
      paused: false,
      status: 'READY',
      concurrency_limit: null,
      concurrency_options: null,
      concurrency_limit_id: null,
      labels,
      version_id: null,
    });
    const scheduleId = uuid4(random);
    rows.deployment_schedule.push({
      id: scheduleId,
      ...stamp(deploymentCreated + SECOND),
      schedule: scheduleJson(planned.schedule),
      active: planned.scheduleActive,
      deployment_id: id,
      max_scheduled_runs: null,
      parameters: {},
      slug: null,
    });
    deployments.push({id, version, tags, labels, parameters, workQueue, scheduleId, schedule: planned.schedule});
  }
  return {rows, flows, deployments};
}

function hexHash(random: SeededRandom): string {
  return random.uint32().toString(16).padStart(8, '0');
}

function baseJobTemplate(type: string): Record<string, unknown> {
  return {
    job_configuration: {command: '{{ command }}', env: '{{ env }}', labels: '{{ labels }}', name: '{{ name }}'},
    variables: {
      type: 'object',
      properties: {
        command: {title: 'Command', type: 'string'},
        env: {title: 'Environment Variables', type: 'object', additionalProperties: {type: 'string'}},
        ...(type === 'process' ? {} : {image: {title: 'Image', type: 'string'}}),
      },
    },
  };
}
