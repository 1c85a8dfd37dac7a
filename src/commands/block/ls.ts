import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming, parseSort} from '../../cli/list-flags.js';
import type {BlockDocumentRecord} from '../../repositories/blocks.js';
import type {TableColumn} from '../../render/view.js';

export default class BlockLs extends BaseCommand<typeof BlockLs> {
  static summary = 'List block documents, by block type then name';

  static description =
    'Data is decrypted with the database\'s key (PREFECT_SERVER_ENCRYPTION_KEY overrides it) and secret fields show as ******** unless --show-secrets. ' +
    'With --all, json, jsonl, csv and -q output are written as the documents are read, in bounded memory at any size; the table format collects every row first (to size its columns).';

  static examples = [
    '<%= config.bin %> block ls',
    '<%= config.bin %> block ls --type aws-credentials --json',
    '<%= config.bin %> block ls --anonymous --sort updated',
  ];

  static flags = {
    type: Flags.string({description: 'only documents of the block type with this slug, e.g. secret'}),
    anonymous: Flags.boolean({description: 'include anonymous documents (the nested blocks Prefect saves without a name)'}),
    'show-secrets': Flags.boolean({description: 'show secret fields in clear text in the data'}),
    sort: Flags.string({description: 'type, name, created or updated, optionally :asc or :desc', default: 'type'}),
    ...limitFlagsNaming(['id', 'block', 'type', 'updated']),
  };

  async run(): Promise<void> {
    const {listBlockDocuments, streamBlockDocuments, BLOCK_DOCUMENT_SORT_FIELDS} = await import('../../repositories/blocks.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {flags} = this;
    const options = {
      typeSlug: flags.type,
      includeAnonymous: flags.anonymous,
      showSecrets: flags['show-secrets'],
      sort: parseSort(flags.sort, BLOCK_DOCUMENT_SORT_FIELDS),
      limit: effectiveLimit(flags),
    };
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const view = {
      noun: 'block documents',
      columns: [
        {header: 'ID', key: 'id', cell: (b) => b.id},
        {header: 'BLOCK', cell: (b) => `${b.block_type?.slug ?? ''}/${b.name}`},
        {header: 'TYPE', key: 'block_type_name', cell: (b) => b.block_type_name ?? ''},
        {header: 'UPDATED', key: 'updated', cell: (b, fmt) => fmt.time(b.updated)},
      ] as TableColumn<BlockDocumentRecord>[],
    };
    if (options.limit === undefined) return this.printListStream<BlockDocumentRecord>(view, (onRows) => streamBlockDocuments(ctx, options, onRows));
    await this.printList<BlockDocumentRecord>({...view, ...(await listBlockDocuments(ctx, options))});
  }
}
