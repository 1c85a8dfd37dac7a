import {Args} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class ArtifactDelete extends BaseCommand<typeof ArtifactDelete> {
  static summary = 'Delete every version of an artifact key, or one artifact version by id';

  static description = `A key deletes all its versions and its artifact collection; an id (or unique id prefix) deletes that version, and when it was the key's latest the collection is repointed to the newest remaining version by created (its mirrored columns copied, updated bumped), as Prefect does. States whose result artifact was deleted keep a null result_artifact_id (the foreign key's ON DELETE SET NULL). Prompts on a terminal; needs --yes otherwise.`;

  static examples = ['<%= config.bin %> artifact delete nightly-report --yes', '<%= config.bin %> artifact delete 0199a3c4 --dry-run --json'];

  static args = {
    artifact: Args.string({description: 'artifact key, id, or unique id prefix', required: true}),
  };

  static flags = {...writeFlags};

  async run(): Promise<void> {
    const {repositoryContext} = await import('../../repositories/common.js');
    const {deleteArtifactTarget, findArtifactsToDelete} = await import('../../services/artifact-deletion.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const target = await findArtifactsToDelete(ctx, this.args.artifact);
    const what = target.id === null ? `all ${target.versions.toLocaleString('en-US')} versions of artifact key "${target.key}"` : `artifact ${target.id}`;
    await this.confirm(`Delete ${what}?`);
    const dryRun = Boolean(this.flags['dry-run']);
    const result = await deleteArtifactTarget(ctx, target, {dryRun});
    if (this.flags.quiet) this.writeStdout((result.id ?? result.key) + '\n');
    else if (this.outputFormat === 'table') {
      await this.printList({
        noun: 'tables',
        rows: [
          {table: 'artifact', deleted: result.deleted.artifact, updated: 0},
          {table: 'artifact_collection', deleted: result.deleted.artifact_collection, updated: result.updated.artifact_collection},
        ],
        columns: [
          {header: 'TABLE', key: 'table', cell: (r) => r.table},
          {header: 'DELETED', key: 'deleted', cell: (r) => String(r.deleted)},
          {header: 'UPDATED', key: 'updated', cell: (r) => String(r.updated)},
        ],
      });
    } else await this.printDetail({id: result.id ?? result.key ?? '', record: result, sections: () => []});
    if (dryRun) process.stderr.write('Dry run: nothing written\n');
  }
}
