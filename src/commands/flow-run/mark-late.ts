import {Args, Flags} from '@oclif/core';

import {flowRunFilterFlags, flowRunFilterFrom} from '../../cli/run-filter-flags.js';
import {selectionFlags} from '../../cli/selection-flags.js';
import {StateChangeCommand} from '../../cli/state-change-command.js';
import {writeFlags} from '../../cli/write-flags.js';
import {usageError} from '../../errors.js';

export default class FlowRunMarkLate extends StateChangeCommand<typeof FlowRunMarkLate> {
  static summary = 'Mark overdue Scheduled runs Late: one pass of Prefect\'s late-runs service';

  static description =
    'Without ids it takes every run in a state named Scheduled whose next scheduled start is older than --after (narrowed by any filter); ' +
    'with ids it takes those runs whatever their time. Each is proposed Late through Prefect\'s MarkLateRunsPolicy.';

  static examples = ['<%= config.bin %> flow-run mark-late --yes', '<%= config.bin %> flow-run mark-late --after 10m --deployment etl/nightly --dry-run'];

  static strict = false;

  static args = {
    id: Args.string({description: 'flow run id or unique prefix; more may follow; "-" reads ids from stdin'}),
  };

  static flags = {
    after: Flags.string({description: 'how overdue a run must be: seconds, or an age such as 15s, 10m, 1h', default: '15s'}),
    ...flowRunFilterFlags,
    limit: selectionFlags.limit,
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {lateRunsFilter, markLateProposal} = await import('../../services/mark-late.js');
    const {flags} = this;
    const afterSeconds = parseAge(flags.after);
    const userFilter = await flowRunFilterFrom(flags);
    const byIds = this.positionals.length > 0;
    await this.changeStates({
      kind: 'flow_run',
      // With ids, any filter is refused by the selection (ids or filters, not both).
      filter: byIds ? userFilter : {...userFilter, ...lateRunsFilter(Date.now(), afterSeconds)},
      limit: flags.limit,
      question: (count) => `Mark ${count.toLocaleString('en-US')} flow runs Late?`,
      intent: {types: ['SCHEDULED'], name: 'Late', label: 'Late'},
      propose: markLateProposal,
    });
  }
}

const UNIT_SECONDS: Record<string, number> = {s: 1, m: 60, h: 3600, d: 86400};

function parseAge(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/i.exec(text.trim());
  if (!match) throw usageError(`invalid --after "${text.slice(0, 20)}": give seconds or an age such as 15s, 10m, 1h`);
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] || 's').toLowerCase()];
  // Further back than any Prefect database reaches, and than dates can be computed.
  if (seconds > MAX_AGE_SECONDS) throw usageError(`--after "${text.slice(0, 20)}" is too long ago: at most ${MAX_AGE_SECONDS / 86400} days`);
  return seconds;
}

const MAX_AGE_SECONDS = 36_500 * 86_400;
