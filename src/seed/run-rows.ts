import {stateDetails as defaultStateDetails} from '../runs/new-run-rows.js';
import {bookkeep, type RunBookkeeping, type StateEntry} from './bookkeeping.js';
import type {Catalogue, DeploymentInfo, FlowInfo, Row} from './catalogue.js';
import {flowRunHistory, type FlowRunOutcome, taskRunHistory, type TaskRunWindow} from './history.js';
import {runSlug} from './names.js';
import type {SeedPlan} from './plan.js';
import type {SeededRandom} from './random.js';
import {pythonZonedString, scheduleDisplayValue} from './schedules.js';
import type {RunSlot} from './timeline.js';
import {HOUR, isoOf, type Micros, millisOf, pydanticIsoOf, SECOND, seconds} from './time.js';
import {uuid4, uuid7} from './uuid.js';

/** The rows one batch of flow runs adds, per table, in domain values. */
export interface RunRows {
  flow_run: Row[];
  flow_run_state: Row[];
  task_run: Row[];
  task_run_state: Row[];
  log: Row[];
  artifact: Row[];
}

export function emptyRunRows(): RunRows {
  return {flow_run: [], flow_run_state: [], task_run: [], task_run_state: [], log: [], artifact: []};
}

/** One state's details: Prefect's defaults with the run ids filled in, keys in Pydantic's order. */
function stateDetails(flowRunId: string, taskRunId: string | null, scheduledTime: Micros | undefined): Row {
  const scheduled = scheduledTime === undefined ? null : pydanticIsoOf(scheduledTime);
  return {...defaultStateDetails(scheduled), flow_run_id: flowRunId, task_run_id: taskRunId};
}

/** The denormalised run columns shared by flow_run and task_run. */
function runColumns(book: RunBookkeeping, stateId: string): Row {
  const iso = (at: Micros | null) => (at === null ? null : isoOf(at));
  return {
    state_id: stateId,
    state_type: book.stateType,
    state_name: book.stateName,
    state_timestamp: isoOf(book.stateTimestamp),
    run_count: book.runCount,
    expected_start_time: iso(book.expectedStartTime),
    next_scheduled_start_time: iso(book.nextScheduledStartTime),
    start_time: iso(book.startTime),
    end_time: iso(book.endTime),
    total_run_time: book.totalRunTime / SECOND,
  };
}

/**
 * Turns run slots into rows: the flow run with its state history and the columns Prefect's
 * bookkeeping derives from it, its task runs (each with its own history), logs, and now
 * and then an artifact. Ids are v7 from each row's own time, as Prefect 3.4+ mints them.
 */
export class RunRowFactory {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly plan: SeedPlan,
    private readonly now: Micros,
    private readonly taskRunsPerFlowRun: number,
    private readonly logsPerRun: number,
    private readonly random: SeededRandom,
  ) {}

  addFlowRun(slot: RunSlot, into: RunRows): void {
    const random = this.random;
    const flow = this.catalogue.flows[slot.flowIndex];
    const deployment = slot.deploymentIndex === null ? null : this.catalogue.deployments[slot.deploymentIndex];
    const created = this.createdAt(slot);
    const id = uuid7(random, millisOf(created));
    const outcome = flowRunHistory(
      {
        origin: slot.origin,
        expectedStart: slot.expectedStart,
        created,
        retries: flow.retries,
        retryDelaySeconds: flow.retryDelaySeconds,
        medianDurationSeconds: flow.medianDurationSeconds,
      },
      this.now,
      random,
    );
    const stateIds = this.addStates(into.flow_run_state, 'flow_run_id', id, outcome.states, (state) => stateDetails(id, null, state.scheduledTime));
    const book = bookkeep(outcome.states);
    const name = runSlug(random);
    const ranOnWorker = deployment !== null && book.startTime !== null && outcome.lastRunStart !== null;
    into.flow_run.push({
      id,
      created: isoOf(created),
      updated: isoOf(book.stateTimestamp),
      name,
      ...runColumns(book, stateIds[stateIds.length - 1]),
      flow_version: flow.version,
      parameters: deployment ? deployment.parameters : {batch_size: 100, dry_run: true},
      idempotency_key: slot.origin === 'auto-scheduled' ? this.idempotencyKey(deployment!, slot.expectedStart) : null,
      context: {},
      empirical_policy: {
        max_retries: 0,
        retry_delay_seconds: 0,
        retries: flow.retries,
        retry_delay: flow.retryDelaySeconds,
        pause_keys: [],
        resuming: false,
        retry_type: outcome.retryType,
      },
      tags: slot.origin === 'auto-scheduled' ? ['auto-scheduled', ...deployment!.tags] : (deployment?.tags ?? []),
      auto_scheduled: slot.origin === 'auto-scheduled',
      flow_id: flow.id,
      deployment_id: deployment?.id ?? null,
      parent_task_run_id: null,
      infrastructure_document_id: null,
      work_queue_name: deployment?.workQueue.name ?? null,
      created_by:
        slot.origin === 'auto-scheduled'
          ? {id: deployment!.scheduleId, type: 'SCHEDULE', display_value: scheduleDisplayValue(deployment!.schedule)}
          : null,
      infrastructure_pid: ranOnWorker ? String(random.int(1000, 65_000)) : null,
      work_queue_id: deployment?.workQueue.id ?? null,
      job_variables: {},
      deployment_version: deployment?.version ?? null,
      labels: deployment
        ? {...deployment.labels, 'prefect.flow.id': flow.id, 'prefect.deployment.id': deployment.id}
        : {'prefect.flow.id': flow.id},
    });
    if (outcome.lastRunStart === null) return;
    const taskRunIds = this.addTaskRuns(into, id, flow, book.runCount, outcome);
    this.addLogs(into.log, id, null, 'prefect.flow_runs', outcome.lastRunStart, outcome.lastRunEnd, [
      `Beginning flow run '${name}' for flow '${flow.name}'`,
      ...(outcome.lastRunEnd === null ? [] : [finishedMessage(outcome.states[outcome.states.length - 1])]),
    ]);
    if (book.stateType === 'COMPLETED') this.maybeAddArtifact(into.artifact, id, taskRunIds.at(-1) ?? null, flow, name, outcome.lastRunEnd!);
  }

  /** When the run row was created: the scheduler makes runs ahead of time, at its last pass at the latest. */
  private createdAt(slot: RunSlot): Micros {
    if (slot.origin !== 'auto-scheduled') return slot.expectedStart;
    const period = this.plan.deployments[slot.deploymentIndex!].periodSeconds * SECOND;
    const lead = Math.max(HOUR, 3 * period) + seconds(this.random.between(0, 60));
    return Math.min(slot.expectedStart - lead, this.now - seconds(this.random.between(1, 60)));
  }

  private idempotencyKey(deployment: DeploymentInfo, at: Micros): string {
    return `scheduled ${deployment.id} ${deployment.scheduleId} ${pythonZonedString(at, deployment.schedule.timezone)}`;
  }

  private addStates(rows: Row[], runColumn: string, runId: string, states: StateEntry[], details: (state: StateEntry) => Row): string[] {
    return states.map((state) => {
      const id = uuid7(this.random, millisOf(state.timestamp));
      const at = isoOf(state.timestamp);
      rows.push({
        id,
        created: at,
        updated: at,
        type: state.type,
        timestamp: at,
        name: state.name,
        message: state.message,
        state_details: details(state),
        data: null,
        [runColumn]: runId,
        result_artifact_id: null,
      });
      return id;
    });
  }

  /** Task runs of the flow run's last attempt, one after another across its Running period. */
  private addTaskRuns(into: RunRows, flowRunId: string, flow: FlowInfo, flowRunCount: number, outcome: FlowRunOutcome): string[] {
    const count = this.taskRunsPerFlowRun;
    const start = outcome.lastRunStart! + seconds(0.1);
    const end = outcome.lastRunEnd ?? Math.max(this.now, start + seconds(flow.medianDurationSeconds));
    const slice = Math.max(Math.floor((end - start) / Math.max(count, 1)), 10);
    const lastType = outcome.states[outcome.states.length - 1].type;
    const flowEnd = lastType === 'CANCELLING' ? 'CANCELLED' : lastType;
    const cancelled = outcome.states.find((s) => s.type === 'CANCELLED' && outcome.lastRunEnd !== null && s.timestamp > outcome.lastRunEnd);
    const dynamicKeys = new Map<string, number>();
    const ids: string[] = [];
    let previousId: string | null = null;
    for (let i = 0; i < count; i++) {
      const from = start + i * slice;
      if (from > this.now) break;
      const isLast = i === count - 1;
      const window: TaskRunWindow = {
        from,
        until: isLast ? end : from + slice,
        ends: isLast && outcome.lastRunEnd !== null && flowEnd !== 'RUNNING' ? (flowEnd as TaskRunWindow['ends']) : 'COMPLETED',
        cancelledAt: cancelled?.timestamp ?? null,
      };
      const states = taskRunHistory(window, this.now, this.random);
      const task = flow.tasks[i % flow.tasks.length];
      const dynamicKey = dynamicKeys.get(task.taskKey) ?? 0;
      dynamicKeys.set(task.taskKey, dynamicKey + 1);
      const id = uuid7(this.random, millisOf(states[0].timestamp));
      const stateIds = this.addStates(into.task_run_state, 'task_run_id', id, states, (state) => stateDetails(flowRunId, id, state.scheduledTime));
      const book = bookkeep(states);
      into.task_run.push({
        id,
        created: isoOf(states[0].timestamp),
        updated: isoOf(book.stateTimestamp),
        name: `${task.name}-${dynamicKey}`,
        ...runColumns(book, stateIds[stateIds.length - 1]),
        task_key: task.taskKey,
        dynamic_key: String(dynamicKey),
        cache_key: null,
        cache_expiration: null,
        task_version: null,
        empirical_policy: {max_retries: 0, retry_delay_seconds: 0, retries: 1, retry_delay: 10, retry_jitter_factor: null},
        task_inputs: previousId === null ? {} : {data: [{input_type: 'task_run', id: previousId}]},
        tags: [],
        flow_run_id: flowRunId,
        flow_run_run_count: flowRunCount,
        labels: {},
      });
      const lastTaskState = states[states.length - 1];
      this.addLogs(into.log, flowRunId, id, 'prefect.task_runs', states[0].timestamp, book.endTime, [
        book.endTime === null ? `Task run '${task.name}-${dynamicKey}' started` : finishedMessage(lastTaskState),
      ], Math.ceil(this.logsPerRun / 2));
      ids.push(id);
      previousId = id;
    }
    return ids;
  }

  /** `count` log lines spread over [from, until ?? now], the given messages first and last. */
  private addLogs(rows: Row[], flowRunId: string, taskRunId: string | null, logger: string, from: Micros, until: Micros | null, messages: string[], count = this.logsPerRun): void {
    const end = until ?? this.now;
    for (let i = 0; i < count; i++) {
      const at = from + Math.floor(((end - from) * (i + 1)) / (count + 1));
      const message = i === 0 ? messages[0] : i === count - 1 && messages.length > 1 ? messages[messages.length - 1] : `Processed batch ${i} of ${count - 1}`;
      const failed = /Failed|Crashed/.test(message);
      // The server stores a log when the client's batch arrives, a moment after it was emitted.
      const received = Math.min(at + seconds(this.random.between(0.05, 2)), Math.max(this.now, at));
      rows.push({
        id: uuid7(this.random, millisOf(at)),
        created: isoOf(received),
        updated: isoOf(received),
        name: logger,
        level: failed ? 40 : 20,
        flow_run_id: flowRunId,
        task_run_id: taskRunId,
        message,
        timestamp: isoOf(at),
      });
    }
  }

  /** One in ten completed runs publishes its report under a key; one in twenty a table. */
  private maybeAddArtifact(rows: Row[], flowRunId: string, taskRunId: string | null, flow: FlowInfo, runName: string, at: Micros): void {
    const roll = this.random.next();
    if (roll >= 0.15) return;
    const keyed = roll < 0.1;
    const created = isoOf(at - 1000);
    rows.push({
      id: uuid4(this.random),
      created,
      updated: created,
      key: keyed ? `${flow.name}-report` : null,
      type: keyed ? 'markdown' : 'table',
      data: keyed
        ? `# ${flow.name}\n\nRun **${runName}** processed ${this.random.int(100, 100_000)} rows.`
        : JSON.stringify([{metric: 'rows', value: this.random.int(100, 100_000)}]),
      metadata_: null,
      task_run_id: taskRunId,
      flow_run_id: flowRunId,
      description: keyed ? `Summary of ${flow.name}` : null,
    });
  }
}

function finishedMessage(state: StateEntry): string {
  const detail = state.type === 'COMPLETED' ? '' : `'${state.message ?? ''}'`;
  return `Finished in state ${state.name}(${detail})`;
}
