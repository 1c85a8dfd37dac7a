import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class BlockDelete extends BaseCommand<typeof BlockDelete> {
  static summary = 'Delete a block document, with what its foreign keys delete along with it';

  static description =
    'Deployments whose storage or infrastructure is the block, and flow runs whose infrastructure it is, are deleted by the database\'s cascades; they are named first, and the delete needs confirmation (--yes without a terminal). Blocks that nest it lose that field. A server default result storage pointing at it is cleared, as Prefect does.';

  static examples = [
    '<%= config.bin %> block delete secret/db-password --yes',
    '<%= config.bin %> block delete s3-bucket/results --dry-run',
  ];

  static args = {
    block: Args.string({description: 'TYPE_SLUG/NAME, id, or unique id prefix', required: true}),
  };

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {planBlockDeletion, deleteBlockDocument} = await import('../../services/block-documents.js');
    const {blockDocumentView} = await import('../../render/block-view.js');
    const {db, schema} = await this.connectForWrite();
    const dryRun = this.flags['dry-run'];
    const {block, dependents} = await planBlockDeletion(db, schema, this.args.block);
    const address = `${block.block_type?.slug ?? ''}/${block.name}`;
    const consequences: string[] = [];
    for (const deployment of dependents.deployments) {
      const via = deployment.column === 'storage_document_id' ? 'storage' : 'infrastructure';
      consequences.push(`deployment ${deployment.flow_name ?? '?'}/${deployment.name} (${deployment.id}) uses it as ${via} and will be deleted`);
    }
    if (dependents.flow_runs > 0) consequences.push(`${dependents.flow_runs} flow run(s) use it as infrastructure and will be deleted`);
    for (const parent of dependents.parent_blocks) consequences.push(`block ${parent.name} (${parent.id}) loses its field "${parent.field}"`);
    for (const line of consequences) process.stderr.write(`${line}\n`);
    const extra = consequences.length > 0 ? ' and everything listed above' : '';
    await this.confirm(`Delete block ${address}${extra}?`);
    await deleteBlockDocument(db, schema, block.id, {dryRun});
    await this.printDetail(blockDocumentView(block));
    if (dryRun) process.stderr.write('Dry run: nothing was written.\n');
  }
}
