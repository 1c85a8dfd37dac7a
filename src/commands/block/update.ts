import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class BlockUpdate extends BaseCommand<typeof BlockUpdate> {
  static summary = 'Merge new data into a block document';

  static description =
    'Top-level fields in --data replace the stored ones; the others stay. A secret given as ******** keeps its stored value, as in Prefect. Nested blocks not named in --data stay referenced; name one with {"$ref": {"block_document_id": "ID"}} to point it elsewhere. The result is checked against the document\'s schema.';

  static examples = [
    '<%= config.bin %> block update secret/db-password --data \'{"value": "n3w"}\'',
    '<%= config.bin %> block update s3-bucket/results --data \'{"bucket_folder": "runs"}\' --json',
  ];

  static args = {
    block: Args.string({description: 'TYPE_SLUG/NAME, id, or unique id prefix', required: true}),
  };

  static flags = {
    data: Flags.string({description: 'the fields to change as a JSON object, or - to read it from stdin', required: true}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {readValueOrStdin} = await import('../../cli/data-input.js');
    const {parseBlockData} = await import('../../blocks/block-data.js');
    const {updateBlockDocument} = await import('../../services/block-documents.js');
    const {blockDocumentView} = await import('../../render/block-view.js');
    const data = parseBlockData(await readValueOrStdin(this.flags.data));
    const {db, schema} = await this.connectForWrite();
    const dryRun = this.flags['dry-run'];
    const block = await updateBlockDocument(db, schema, this.args.block, data, {dryRun});
    await this.printDetail(blockDocumentView(block));
    if (dryRun) process.stderr.write('Dry run: nothing was written.\n');
  }
}
