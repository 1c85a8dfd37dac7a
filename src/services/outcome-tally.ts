import type {OrchestrationResult} from './state-change.js';
import {endedAsIntended, type StateIntent} from './state-intent.js';

export interface OutcomeGroup {
  status: string;
  stateType: string | null;
  stateName: string | null;
  reason: string | null;
  runs: number;
}

/**
 * Outcomes counted by status, resulting state and reason: what the table form and the
 * stderr summary show. Counting instead of keeping every result lets a bulk change of a
 * million runs print its table without holding a million results.
 */
export class OutcomeTally {
  total = 0;
  private readonly groups = new Map<string, OutcomeGroup>();
  private readonly byStatus = new Map<string, number>();

  add(results: readonly OrchestrationResult[]): void {
    for (const result of results) {
      const group = {
        status: result.status,
        stateType: result.state?.type ?? null,
        stateName: result.state?.name ?? null,
        reason: result.details.reason ?? null,
      };
      const key = JSON.stringify(group);
      const known = this.groups.get(key);
      if (known) known.runs += 1;
      else this.groups.set(key, {...group, runs: 1});
      this.byStatus.set(result.status, (this.byStatus.get(result.status) ?? 0) + 1);
      this.total += 1;
    }
  }

  get outcomeGroups(): OutcomeGroup[] {
    return [...this.groups.values()];
  }

  count(status: string): number {
    return this.byStatus.get(status) ?? 0;
  }

  /** How many runs did not end where the command meant them to (its exit code: 0 only when none). */
  missed(intent: StateIntent): number {
    let missed = 0;
    for (const group of this.groups.values()) {
      if (!endedAsIntended(intent, {type: group.stateType, name: group.stateName})) missed += group.runs;
    }
    return missed;
  }
}
