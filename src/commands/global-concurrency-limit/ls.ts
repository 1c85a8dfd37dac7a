import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming} from '../../cli/list-flags.js';
import type {GlobalConcurrencyLimitRecord} from '../../repositories/concurrency-limits.js';

export default class GlobalConcurrencyLimitLs extends BaseCommand<typeof GlobalConcurrencyLimitLs> {
  static summary = 'List global concurrency limits, deployment ("deployment:<id>") and tag ("tag:<tag>") limits included';

  static description = 'Active slots are shown after decay, as Prefect\'s server computes them when read.';

  static examples = ['<%= config.bin %> global-concurrency-limit ls', '<%= config.bin %> global-concurrency-limit ls --json'];

  static flags = {...limitFlagsNaming(['name', 'active', 'limit', 'active_slots', 'slot_decay_s', 'updated', 'id'])};

  async run(): Promise<void> {
    const {listGlobalConcurrencyLimits} = await import('../../repositories/concurrency-limits.js');
    const {GLOBAL_LIMIT_COLUMNS} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const result = await listGlobalConcurrencyLimits(repositoryContext(db, schema), {limit: effectiveLimit(this.flags)}, Date.now());
    await this.printList<GlobalConcurrencyLimitRecord>({noun: 'global concurrency limits', ...result, columns: GLOBAL_LIMIT_COLUMNS});
  }
}
