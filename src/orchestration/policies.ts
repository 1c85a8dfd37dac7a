/**
 * Prefect's policies: rules in priority order (core_policy.py). Rules whose only effect is
 * outside the database are left out: InstrumentFlowRunStateTransitions (events),
 * RemoveDeploymentConcurrencyLeaseForOldClientVersions (revokes an in-memory lease) and
 * EnqueueScheduledTasks (the in-memory task queue).
 */
import {
  enforceDeploymentConcurrencyOnLate,
  releaseFlowConcurrencySlots,
  releaseTaskConcurrencySlots,
  secureFlowConcurrencySlots,
  secureTaskConcurrencySlots,
  validateDeploymentConcurrencyAtRunning,
} from './concurrency.js';
import {
  bypassCancellingFlowRunsWithNoInfra,
  enforceCancellingToCancelledTransition,
  ensureOnlyScheduledFlowsMarkedLate,
  handleFlowTerminalStateTransitions,
  handlePausingFlows,
  handleResumingPausedFlows,
  preserveDeploymentConcurrencyLeaseId,
  preventDuplicateTransitions,
  preventResultDataLoss,
  retryFailedFlows,
} from './flow-rules.js';
import {copyScheduledTime, preventPendingTransitions, renameReruns, waitForScheduledTime} from './generic-rules.js';
import type {FlowContext, Rule, TaskContext} from './rules.js';
import {
  cacheInsertion,
  cacheRetrieval,
  copyTaskParametersId,
  handleTaskTerminalStateTransitions,
  preventRunningTasksFromStoppedFlows,
  retryFailedTasks,
  updateFlowRunTrackerOnTasks,
} from './task-rules.js';

export const CORE_FLOW_POLICY: readonly Rule<FlowContext>[] = [
  preserveDeploymentConcurrencyLeaseId,
  preventDuplicateTransitions,
  handleFlowTerminalStateTransitions,
  enforceCancellingToCancelledTransition,
  bypassCancellingFlowRunsWithNoInfra,
  preventPendingTransitions,
  validateDeploymentConcurrencyAtRunning,
  secureFlowConcurrencySlots,
  ensureOnlyScheduledFlowsMarkedLate,
  handlePausingFlows,
  handleResumingPausedFlows,
  copyScheduledTime,
  waitForScheduledTime,
  retryFailedFlows,
  releaseFlowConcurrencySlots,
];

export const MINIMAL_FLOW_POLICY: readonly Rule<FlowContext>[] = [
  preventResultDataLoss,
  bypassCancellingFlowRunsWithNoInfra,
  releaseFlowConcurrencySlots,
];

export const MARK_LATE_RUNS_POLICY: readonly Rule<FlowContext>[] = [ensureOnlyScheduledFlowsMarkedLate, enforceDeploymentConcurrencyOnLate];

export const CORE_TASK_POLICY: readonly Rule<TaskContext>[] = [
  cacheRetrieval,
  handleTaskTerminalStateTransitions,
  preventRunningTasksFromStoppedFlows,
  secureTaskConcurrencySlots,
  copyScheduledTime,
  waitForScheduledTime,
  retryFailedTasks,
  renameReruns,
  updateFlowRunTrackerOnTasks,
  cacheInsertion,
  releaseTaskConcurrencySlots,
];

export const MINIMAL_TASK_POLICY: readonly Rule<TaskContext>[] = [releaseTaskConcurrencySlots];

export const BACKGROUND_TASK_POLICY: readonly Rule<TaskContext>[] = [
  preventPendingTransitions,
  cacheRetrieval,
  handleTaskTerminalStateTransitions,
  copyScheduledTime,
  copyTaskParametersId,
  waitForScheduledTime,
  retryFailedTasks,
  renameReruns,
  updateFlowRunTrackerOnTasks,
  cacheInsertion,
  releaseTaskConcurrencySlots,
];
