import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming} from '../../cli/list-flags.js';
import type {VariableRecord} from '../../repositories/variables.js';

export default class VariableLs extends BaseCommand<typeof VariableLs> {
  static summary = 'List variables by name';

  static description =
    'With --all, json, jsonl, csv and -q output are written as the variables are read, in bounded memory at any size; the table format collects every row first (to size its columns).';

  static examples = ['<%= config.bin %> variable ls', '<%= config.bin %> variable ls --json'];

  static flags = {...limitFlagsNaming(['name', 'value', 'tags', 'updated', 'id'])};

  async run(): Promise<void> {
    const {listVariables, streamVariables} = await import('../../repositories/variables.js');
    const {VARIABLE_COLUMNS} = await import('../../render/variable-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const view = {noun: 'variables', columns: VARIABLE_COLUMNS};
    const limit = effectiveLimit(this.flags);
    if (limit === undefined) return this.printListStream<VariableRecord>(view, (onRows) => streamVariables(ctx, onRows));
    await this.printList<VariableRecord>({...view, ...(await listVariables(ctx, {limit}))});
  }
}
