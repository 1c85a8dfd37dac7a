import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming} from '../../cli/list-flags.js';
import type {GlobalConcurrencyLimitRecord} from '../../repositories/concurrency-limits.js';

export default class GlobalConcurrencyLimitLs extends BaseCommand<typeof GlobalConcurrencyLimitLs> {
  static summary = 'List global concurrency limits, deployment ("deployment:<id>") and tag ("tag:<tag>") limits included';

  static description =
    "Active slots are shown after decay, as Prefect's server computes them when read. " +
    'With --all, json, jsonl, csv and -q output are written as the limits are read, in bounded memory at any size; the table format collects every row first (to size its columns).';

  static examples = ['<%= config.bin %> global-concurrency-limit ls', '<%= config.bin %> global-concurrency-limit ls --json'];

  static flags = {...limitFlagsNaming(['name', 'active', 'limit', 'active_slots', 'slot_decay_s', 'updated', 'id'])};

  async run(): Promise<void> {
    const {listGlobalConcurrencyLimits, streamGlobalConcurrencyLimits} = await import('../../repositories/concurrency-limits.js');
    const {GLOBAL_LIMIT_COLUMNS} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const view = {noun: 'global concurrency limits', columns: GLOBAL_LIMIT_COLUMNS};
    const limit = effectiveLimit(this.flags);
    if (limit === undefined) return this.printListStream<GlobalConcurrencyLimitRecord>(view, (onRows) => streamGlobalConcurrencyLimits(ctx, {}, Date.now(), onRows));
    await this.printList<GlobalConcurrencyLimitRecord>({...view, ...(await listGlobalConcurrencyLimits(ctx, {limit}, Date.now()))});
  }
}
