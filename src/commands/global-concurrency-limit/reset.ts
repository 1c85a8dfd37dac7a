import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class GlobalConcurrencyLimitReset extends BaseCommand<typeof GlobalConcurrencyLimitReset> {
  static summary = 'Recompute active slots from the runs that really hold them';

  static description =
    'For "deployment:<id>" the deployment\'s flow runs in Pending, Running or Cancelling; for "tag:<tag>" the Running or Cancelling task runs ' +
    'with the tag; any other limit is taken by client code the database keeps no record of, so its slots go to 0. Leases a live ' +
    'server keeps in memory are not revoked.';

  static examples = ['<%= config.bin %> global-concurrency-limit reset deployment:3f2a… --yes'];

  static args = {limit: Args.string({description: 'limit name, id, or unique id prefix', required: true})};

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {resetGlobalConcurrencyLimit} = await import('../../services/global-concurrency-limits.js');
    const {findGlobalConcurrencyLimit} = await import('../../repositories/concurrency-limits.js');
    const {globalLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const existing = await findGlobalConcurrencyLimit(ctx, this.args.limit, Date.now());
    await this.confirm(`Reset the active slots of global concurrency limit "${existing.name}" (${existing.active_slots} now) to the slots really held?`);
    const {before, after} = await resetGlobalConcurrencyLimit(ctx, existing.id, {dryRun: this.flags['dry-run']});
    reportWrite(`active slots of "${after.name}": ${before.active_slots} → ${after.active_slots}`, this.flags['dry-run']);
    await this.printDetail(globalLimitDetailView(after));
  }
}
