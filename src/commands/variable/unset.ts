import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class VariableUnset extends BaseCommand<typeof VariableUnset> {
  static summary = 'Delete a variable';

  static aliases = ['variable:delete'];

  static examples = ['<%= config.bin %> variable unset my_var --yes'];

  static args = {name: Args.string({description: 'variable name, id, or unique id prefix', required: true})};

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {unsetVariable} = await import('../../services/variables.js');
    const {findVariable} = await import('../../repositories/variables.js');
    const {variableDetailView} = await import('../../render/variable-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const existing = await findVariable(ctx, this.args.name);
    await this.confirm(`Delete variable "${existing.name}"?`);
    const variable = await unsetVariable(ctx, existing.id, {dryRun: this.flags['dry-run']});
    reportWrite(`deleted variable "${variable.name}"`, this.flags['dry-run']);
    await this.printDetail(variableDetailView(variable));
  }
}
