import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';
import {usageError} from '../../errors.js';

export default class GlobalConcurrencyLimitUpdate extends BaseCommand<typeof GlobalConcurrencyLimitUpdate> {
  static summary = 'Change a global concurrency limit: its limit, active slots, slot decay, or whether it is active';

  static examples = [
    '<%= config.bin %> global-concurrency-limit update my-limit --limit 10',
    '<%= config.bin %> global-concurrency-limit update my-limit --disable',
  ];

  static args = {limit: Args.string({description: 'limit name, id, or unique id prefix', required: true})};

  static flags = {
    limit: Flags.integer({char: 'l', description: 'most slots held at once (0 or more)', min: 0}),
    'active-slots': Flags.integer({description: 'slots taken now', min: 0}),
    'slot-decay-per-second': Flags.string({description: 'slots released per second (0 or more)'}),
    enable: Flags.boolean({description: 'make it active', exclusive: ['disable']}),
    disable: Flags.boolean({description: 'make it inactive', exclusive: ['enable']}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {assertNonNegative, updateGlobalConcurrencyLimit} = await import('../../services/global-concurrency-limits.js');
    const {globalLimitDetailView} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const decay = this.flags['slot-decay-per-second'] === undefined ? undefined : Number(this.flags['slot-decay-per-second']);
    assertNonNegative(decay, 'slot-decay-per-second');
    const changes = {
      ...(this.flags.enable ? {active: true} : {}),
      ...(this.flags.disable ? {active: false} : {}),
      ...(this.flags.limit === undefined ? {} : {limit: this.flags.limit}),
      ...(this.flags['active-slots'] === undefined ? {} : {active_slots: this.flags['active-slots']}),
      ...(decay === undefined ? {} : {slot_decay_per_second: decay}),
    };
    if (Object.keys(changes).length === 0) throw usageError('nothing to change: give --limit, --active-slots, --slot-decay-per-second, --enable or --disable');
    const {db, schema} = await this.connectForWrite();
    const limit = await updateGlobalConcurrencyLimit(repositoryContext(db, schema), this.args.limit, changes, {dryRun: this.flags['dry-run']});
    reportWrite(`updated global concurrency limit "${limit.name}"`, this.flags['dry-run']);
    await this.printDetail(globalLimitDetailView(limit));
  }
}
