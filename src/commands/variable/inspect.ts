import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class VariableInspect extends BaseCommand<typeof VariableInspect> {
  static summary = 'Show one variable with its value and tags';

  static examples = ['<%= config.bin %> variable inspect my_var --json'];

  static args = {name: Args.string({description: 'variable name, id, or unique id prefix', required: true})};

  async run(): Promise<void> {
    const {findVariable} = await import('../../repositories/variables.js');
    const {variableDetailView} = await import('../../render/variable-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    await this.printDetail(variableDetailView(await findVariable(repositoryContext(db, schema), this.args.name)));
  }
}
