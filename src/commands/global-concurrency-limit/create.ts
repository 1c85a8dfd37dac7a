import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class GlobalConcurrencyLimitCreate extends BaseCommand<typeof GlobalConcurrencyLimitCreate> {
  static summary = 'Create a global concurrency limit';

  static examples = [
    '<%= config.bin %> global-concurrency-limit create my-limit --limit 10',
    '<%= config.bin %> global-concurrency-limit create api-rate --limit 5 --slot-decay-per-second 0.5 --disable',
  ];

  static args = {name: Args.string({description: 'name of the new limit', required: true})};

  static flags = {
    limit: Flags.integer({char: 'l', description: 'most slots held at once (0 or more)', required: true, min: 0}),
    'slot-decay-per-second': Flags.string({description: 'slots released per second, for rate limits (0 or more; default 0)'}),
    'active-slots': Flags.integer({description: 'slots already taken (default 0)', min: 0}),
    disable: Flags.boolean({description: 'create it inactive'}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {assertNonNegative, createGlobalConcurrencyLimit} = await import('../../services/global-concurrency-limits.js');
    const {globalLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const decay = this.flags['slot-decay-per-second'] === undefined ? undefined : Number(this.flags['slot-decay-per-second']);
    assertNonNegative(decay, 'slot-decay-per-second');
    const {db, schema} = await this.connectForWrite();
    const limit = await createGlobalConcurrencyLimit(
      repositoryContext(db, schema),
      {name: this.args.name, limit: this.flags.limit, active: !this.flags.disable, activeSlots: this.flags['active-slots'], slotDecayPerSecond: decay},
      {dryRun: this.flags['dry-run']},
    );
    reportWrite(`created global concurrency limit "${limit.name}"`, this.flags['dry-run']);
    await this.printDetail(globalLimitDetailView(limit));
  }
}
