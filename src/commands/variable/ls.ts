import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming} from '../../cli/list-flags.js';
import type {VariableRecord} from '../../repositories/variables.js';

export default class VariableLs extends BaseCommand<typeof VariableLs> {
  static summary = 'List variables by name';

  static examples = ['<%= config.bin %> variable ls', '<%= config.bin %> variable ls --json'];

  static flags = {...limitFlagsNaming(['name', 'value', 'tags', 'updated', 'id'])};

  async run(): Promise<void> {
    const {listVariables} = await import('../../repositories/variables.js');
    const {VARIABLE_COLUMNS} = await import('../../render/variable-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const result = await listVariables(repositoryContext(db, schema), {limit: effectiveLimit(this.flags)});
    await this.printList<VariableRecord>({noun: 'variables', ...result, columns: VARIABLE_COLUMNS});
  }
}
