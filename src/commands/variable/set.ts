import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class VariableSet extends BaseCommand<typeof VariableSet> {
  static summary = 'Create a variable, or replace an existing one with --overwrite';

  static description =
    'VALUE is parsed as JSON when it is JSON (42, true, {"a": 1}, "quoted"), else kept as a string. Prefect 2.x stores strings only: ' +
    'there a JSON string is stored unquoted and any other value as the text given. With --overwrite the tags become the --tag values ' +
    '(none if none are given), as `prefect variable set --overwrite` does.';

  static examples = [
    '<%= config.bin %> variable set api_url https://example.com',
    '<%= config.bin %> variable set retries 3 --tag prod --overwrite',
  ];

  static args = {
    name: Args.string({description: 'variable name', required: true}),
    value: Args.string({description: 'the value: JSON, or any text', required: true}),
  };

  static flags = {
    overwrite: Flags.boolean({description: 'replace the variable if it exists'}),
    tag: Flags.string({description: 'tags (repeatable or comma list)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {setVariable} = await import('../../services/variables.js');
    const {variableDetailView} = await import('../../render/variable-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {reportWrite} = await import('../../cli/write-report.js');
    const {db, schema} = await this.connectForWrite();
    const {variable, created} = await setVariable(
      repositoryContext(db, schema),
      {name: this.args.name, value: this.args.value, tags: this.flags.tag ?? [], overwrite: this.flags.overwrite},
      {dryRun: this.flags['dry-run']},
    );
    reportWrite(`${created ? 'created' : 'replaced'} variable "${variable.name}"`, this.flags['dry-run']);
    await this.printDetail(variableDetailView(variable));
  }
}
