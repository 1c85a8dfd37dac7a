import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class BlockInspect extends BaseCommand<typeof BlockInspect> {
  static summary = 'Show one block document: its type, schema, decrypted data and referenced blocks';

  static description =
    'Data is decrypted with the database\'s key (PREFECT_SERVER_ENCRYPTION_KEY overrides it) and secret fields show as ******** unless --show-secrets.';

  static examples = [
    '<%= config.bin %> block inspect secret/db-password',
    '<%= config.bin %> block inspect s3-bucket/results --show-secrets --json',
    '<%= config.bin %> block inspect 3f2a',
  ];

  static args = {
    block: Args.string({description: 'block-type-slug/name, id, or unique id prefix', required: true}),
  };

  static flags = {
    'show-secrets': Flags.boolean({description: 'show secret fields in clear text'}),
  };

  async run(): Promise<void> {
    const {findBlockDocument} = await import('../../repositories/blocks.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const block = await findBlockDocument(repositoryContext(db, schema), this.args.block, {showSecrets: this.flags['show-secrets']});
    const {blockDocumentView} = await import('../../render/block-view.js');
    await this.printDetail(blockDocumentView(block));
  }
}
