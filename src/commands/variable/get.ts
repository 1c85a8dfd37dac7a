import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class VariableGet extends BaseCommand<typeof VariableGet> {
  static summary = "Print a variable's value alone: a string as it is, any other value as compact JSON";

  static examples = ['<%= config.bin %> variable get my_var', 'export URL=$(<%= config.bin %> variable get api_url)'];

  static args = {name: Args.string({description: 'variable name, id, or unique id prefix', required: true})};

  async run(): Promise<void> {
    const {findVariable} = await import('../../repositories/variables.js');
    const {variableValueText} = await import('../../render/variable-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const variable = await findVariable(repositoryContext(db, schema), this.args.name);
    this.writeStdout(`${variableValueText(variable.value)}\n`);
  }
}
