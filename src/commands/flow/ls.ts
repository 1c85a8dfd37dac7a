import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming} from '../../cli/list-flags.js';
import type {FlowRecord} from '../../repositories/flows.js';
import type {TableColumn} from '../../render/view.js';

export default class FlowLs extends BaseCommand<typeof FlowLs> {
  static summary = 'List flows';

  static description =
    'With --all, json, jsonl, csv and -q output are written as the flows are read, in bounded memory at any size; the table format collects every row first (to size its columns).';

  static examples = ['<%= config.bin %> flow ls', '<%= config.bin %> flow ls --name etl --json'];

  static flags = {
    name: Flags.string({description: 'only flows whose name contains this text, in any case (% and _ match themselves)'}),
    tag: Flags.string({description: 'only flows with this tag'}),
    ...limitFlagsNaming(['id', 'name', 'created', 'tags']),
  };

  async run(): Promise<void> {
    const {listFlows, streamFlows} = await import('../../repositories/flows.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const options = {nameLike: this.flags.name, tag: this.flags.tag, limit: effectiveLimit(this.flags)};
    const view = {
      noun: 'flows',
      columns: [
        {header: 'ID', key: 'id', cell: (f) => f.id},
        {header: 'NAME', key: 'name', cell: (f) => f.name},
        {header: 'CREATED', key: 'created', cell: (f, fmt) => fmt.time(f.created)},
        {header: 'TAGS', key: 'tags', cell: (f) => f.tags.join(', ')},
      ] as TableColumn<FlowRecord>[],
    };
    if (options.limit === undefined) return this.printListStream<FlowRecord>(view, (onRows) => streamFlows(ctx, options, onRows));
    await this.printList<FlowRecord>({...view, ...(await listFlows(ctx, options))});
  }
}
