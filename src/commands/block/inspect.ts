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
    const blockSchema = block.block_schema;
    await this.printDetail({
      id: block.id,
      record: block,
      sections: (fmt) => [
        {
          fields: [
            ['ID', block.id],
            ['Block', `${block.block_type?.slug ?? ''}/${block.name}`],
            ['Type', block.block_type_name ?? ''],
            ['Anonymous', block.is_anonymous ? 'yes' : 'no'],
            ['Created', fmt.time(block.created)],
            ['Updated', fmt.time(block.updated)],
            ['Schema', blockSchema?.checksum ?? block.block_schema_id],
            ['Schema version', blockSchema?.version ?? ''],
            ['Capabilities', (blockSchema?.capabilities ?? []).join(', ')],
          ],
        },
        {
          title: 'Data',
          headers: ['FIELD', 'VALUE'],
          rows: Object.entries(block.data).map(([field, value]) => [field, fmt.text(value)]),
        },
        {
          title: 'Referenced blocks',
          headers: ['FIELD', 'ID', 'BLOCK'],
          rows: Object.entries(block.block_document_references).map(([field, {block_document: ref}]) => [
            field,
            ref.id,
            `${ref.block_type?.slug ?? ''}/${ref.name}`,
          ]),
        },
      ],
    });
  }
}
