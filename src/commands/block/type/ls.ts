import {Flags} from '@oclif/core';

import {BaseCommand} from '../../../base-command.js';
import {effectiveLimit, limitFlagsNaming, parseSort} from '../../../cli/list-flags.js';
import type {BlockTypeSummary} from '../../../repositories/blocks.js';
import type {TableColumn} from '../../../render/view.js';

export default class BlockTypeLs extends BaseCommand<typeof BlockTypeLs> {
  static summary = 'List block types with how many schemas and documents each has';

  static description =
    'With --all, json, jsonl, csv and -q output are written as the types are read; the table format collects every row first (to size its columns).';

  static examples = ['<%= config.bin %> block type ls', '<%= config.bin %> block type ls --sort updated --json'];

  static flags = {
    sort: Flags.string({description: 'slug, name, created or updated, optionally :asc or :desc', default: 'slug'}),
    ...limitFlagsNaming(['slug', 'name', 'protected', 'schemas', 'documents', 'description']),
  };

  async run(): Promise<void> {
    const {listBlockTypes, streamBlockTypes, BLOCK_TYPE_SORT_FIELDS} = await import('../../../repositories/blocks.js');
    const {repositoryContext} = await import('../../../repositories/common.js');
    const options = {sort: parseSort(this.flags.sort, BLOCK_TYPE_SORT_FIELDS), limit: effectiveLimit(this.flags)};
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const view = {
      noun: 'block types',
      columns: [
        {header: 'SLUG', key: 'slug', cell: (t) => t.slug},
        {header: 'NAME', key: 'name', cell: (t) => t.name},
        {header: 'PROTECTED', key: 'is_protected', cell: (t) => (t.is_protected ? 'yes' : 'no')},
        {header: 'SCHEMAS', key: 'block_schema_count', cell: (t) => String(t.block_schema_count)},
        {header: 'DOCUMENTS', key: 'block_document_count', cell: (t) => String(t.block_document_count)},
        {header: 'DESCRIPTION', key: 'description', cell: (t, fmt) => fmt.summary(t.description, 60)},
      ] as TableColumn<BlockTypeSummary>[],
    };
    if (options.limit === undefined) return this.printListStream<BlockTypeSummary>(view, (onRows) => streamBlockTypes(ctx, options, onRows));
    await this.printList<BlockTypeSummary>({...view, ...(await listBlockTypes(ctx, options))});
  }
}
