import type {NewRun} from '../repositories/scheduled-runs.js';
import {dateTexts, isoOfDate} from '../scheduling/run-dates.js';
import type {ZonedTime} from '../scheduling/zoned-time.js';
import {defaultEmpiricalPolicy, runLabels, type RunSourceDeployment, scheduledStateRow} from './new-run-rows.js';

/** How the Prefect release that wrote the database made scheduled runs (behaviour.md §2.1). */
export interface SchedulerEra {
  /** 3.2+: the key names the schedule, and created_by points at it. */
  keyNamesSchedule: boolean;
  /** 3.2+: a schedule's parameters overlay the deployment's. */
  scheduleParameters: boolean;
  /** 3.1.5+: runs carry labels. */
  labels: boolean;
}

export interface RunSourceSchedule {
  /** null for the one schedule of a deployment before 2.16 (no deployment_schedule row). */
  id: string | null;
  slug: string | null;
  /** IntervalSchedule, CronSchedule or RRuleSchedule: created_by's fallback display value. */
  className: string;
  parameters: Record<string, unknown> | null;
}

export interface ScheduledRunFactory {
  era: SchedulerEra;
  now: string;
  newId(unixMillis: number): string;
  newName(): string;
}

/**
 * Makes the run and state rows Prefect's scheduler writes for each date of one schedule.
 * The JSON values every run shares are built once and shared (the encoder then writes
 * each once per batch).
 */
export function scheduledRunMaker(factory: ScheduledRunFactory, deployment: RunSourceDeployment, schedule: RunSourceSchedule): (date: ZonedTime) => NewRun {
  const {era, now} = factory;
  const nowMillis = Date.parse(now);
  const keyPrefix = era.keyNamesSchedule && schedule.id ? `scheduled ${deployment.id} ${schedule.id} ` : `scheduled ${deployment.id} `;
  const shared = {
    parameters: era.scheduleParameters ? {...deployment.parameters, ...(schedule.parameters ?? {})} : deployment.parameters,
    context: {},
    empirical_policy: defaultEmpiricalPolicy(),
    tags: ['auto-scheduled', ...deployment.tags],
    created_by: era.keyNamesSchedule && schedule.id ? {id: schedule.id, type: 'SCHEDULE', display_value: schedule.slug || schedule.className} : null,
    job_variables: {},
    labels: runLabels(deployment),
  };
  return (date) => {
    const id = factory.newId(nowMillis);
    const dateIso = isoOfDate(date);
    const texts = dateTexts(date);
    const run = {
      id,
      created: now,
      updated: now,
      name: factory.newName(),
      state_type: 'SCHEDULED',
      state_name: 'Scheduled',
      state_timestamp: null,
      run_count: 0,
      expected_start_time: dateIso,
      next_scheduled_start_time: dateIso,
      start_time: null,
      end_time: null,
      total_run_time: 0,
      flow_version: null,
      parameters: shared.parameters,
      idempotency_key: keyPrefix + texts.python,
      context: shared.context,
      empirical_policy: shared.empirical_policy,
      tags: shared.tags,
      auto_scheduled: true,
      flow_id: deployment.flow_id,
      deployment_id: deployment.id,
      parent_task_run_id: null,
      infrastructure_document_id: deployment.infrastructure_document_id,
      work_queue_name: deployment.work_queue_name,
      created_by: shared.created_by,
      infrastructure_pid: null,
      work_queue_id: deployment.work_queue_id,
      job_variables: shared.job_variables,
      deployment_version: deployment.version,
      ...(era.labels ? {labels: shared.labels} : {}),
    };
    const state = scheduledStateRow({
      stateId: factory.newId(nowMillis),
      runId: id,
      timestamp: now,
      scheduledTimeText: texts.pydantic,
      message: 'Flow run scheduled',
    });
    return {run, state};
  };
}
