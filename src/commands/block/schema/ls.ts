import {Flags} from '@oclif/core';

import {BaseCommand} from '../../../base-command.js';
import {effectiveLimit, limitFlagsNaming, parseSort} from '../../../cli/list-flags.js';
import type {BlockSchemaRecord} from '../../../repositories/blocks.js';
import type {TableColumn} from '../../../render/view.js';

export default class BlockSchemaLs extends BaseCommand<typeof BlockSchemaLs> {
  static summary = 'List block schemas: the versions of each block type\'s fields';

  static description =
    'With --all, json, jsonl, csv and -q output are written as the schemas are read, in bounded memory at any size; the table format collects every row first (to size its columns).';

  static examples = ['<%= config.bin %> block schema ls', '<%= config.bin %> block schema ls --type s3-bucket --json'];

  static flags = {
    type: Flags.string({description: 'only schemas of the block type with this slug'}),
    sort: Flags.string({description: 'type, version, created or updated, optionally :asc or :desc', default: 'type'}),
    ...limitFlagsNaming(['id', 'type', 'version', 'checksum', 'capabilities']),
  };

  async run(): Promise<void> {
    const {listBlockSchemas, streamBlockSchemas, BLOCK_SCHEMA_SORT_FIELDS} = await import('../../../repositories/blocks.js');
    const {repositoryContext} = await import('../../../repositories/common.js');
    const {flags} = this;
    const options = {typeSlug: flags.type, sort: parseSort(flags.sort, BLOCK_SCHEMA_SORT_FIELDS), limit: effectiveLimit(flags)};
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const view = {
      noun: 'block schemas',
      columns: [
        {header: 'ID', key: 'id', cell: (s) => s.id},
        {header: 'TYPE', key: 'block_type', cell: (s) => s.block_type?.slug ?? ''},
        {header: 'VERSION', key: 'version', cell: (s) => s.version},
        // sha256: and 12 hex digits tell schemas apart; --json has the whole checksum.
        {header: 'CHECKSUM', key: 'checksum', cell: (s) => s.checksum.slice(0, 19)},
        {header: 'CAPABILITIES', key: 'capabilities', cell: (s) => s.capabilities.join(', ')},
      ] as TableColumn<BlockSchemaRecord>[],
    };
    if (options.limit === undefined) return this.printListStream<BlockSchemaRecord>(view, (onRows) => streamBlockSchemas(ctx, options, onRows));
    await this.printList<BlockSchemaRecord>({...view, ...(await listBlockSchemas(ctx, options))});
  }
}
