import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class BlockCreate extends BaseCommand<typeof BlockCreate> {
  static summary = 'Create a block document, encrypted with the server\'s key as Prefect stores it';

  static description =
    'The data is checked against the block type\'s latest schema, then encrypted with PREFECT_SERVER_ENCRYPTION_KEY or the database\'s own key; a database without a key gets one, stored as Prefect\'s server stores it. A nested block is given as {"$ref": {"block_document_id": "ID"}}. Secret fields are printed as ********.';

  static examples = [
    '<%= config.bin %> block create secret/db-password --data \'{"value": "s3cr3t"}\'',
    'echo \'{"bucket_name": "results"}\' | <%= config.bin %> block create s3-bucket/results --data -',
  ];

  static args = {
    block: Args.string({description: 'TYPE_SLUG/NAME, e.g. secret/db-password', required: true}),
  };

  static flags = {
    data: Flags.string({description: 'the block\'s fields as a JSON object, or - to read it from stdin', required: true}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {readValueOrStdin} = await import('../../cli/data-input.js');
    const {parseBlockData} = await import('../../blocks/block-data.js');
    const {createBlockDocument} = await import('../../services/block-documents.js');
    const {blockDocumentView} = await import('../../render/block-view.js');
    const data = parseBlockData(await readValueOrStdin(this.flags.data));
    const {db, schema} = await this.connectForWrite();
    const dryRun = this.flags['dry-run'];
    const block = await createBlockDocument(db, schema, this.args.block, data, {dryRun});
    await this.printDetail(blockDocumentView(block));
    if (dryRun) process.stderr.write('Dry run: nothing was written.\n');
  }
}
