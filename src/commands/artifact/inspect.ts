import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import type {ArtifactRecord} from '../../repositories/artifacts.js';

export default class ArtifactInspect extends BaseCommand<typeof ArtifactInspect> {
  static summary = 'Show the latest artifact of a key, or one artifact by id';

  static description = 'With --all-versions, lists every version of the key (newest first) instead.';

  static examples = [
    '<%= config.bin %> artifact inspect nightly-report',
    '<%= config.bin %> artifact inspect nightly-report --all-versions --json',
    '<%= config.bin %> artifact inspect 3f2a',
  ];

  static args = {
    artifact: Args.string({description: 'artifact key, id, or unique id prefix', required: true}),
  };

  static flags = {
    'all-versions': Flags.boolean({description: 'every version of the artifact\'s key, newest first'}),
  };

  async run(): Promise<void> {
    const {findArtifact, listArtifactVersions} = await import('../../repositories/artifacts.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const artifact = await findArtifact(ctx, this.args.artifact);
    if (this.flags['all-versions']) {
      // An artifact without a key has no other versions.
      const versions = artifact.key === null ? [artifact] : await listArtifactVersions(ctx, artifact.key);
      await this.printList<ArtifactRecord>({
        noun: 'artifact versions',
        rows: versions,
        columns: [
          {header: 'ID', key: 'id', cell: (a) => a.id},
          {header: 'TYPE', key: 'type', cell: (a) => a.type ?? ''},
          {header: 'CREATED', key: 'created', cell: (a, fmt) => fmt.time(a.created)},
          {header: 'FLOW RUN', key: 'flow_run_id', cell: (a) => a.flow_run_id ?? ''},
          {header: 'DESCRIPTION', key: 'description', cell: (a, fmt) => fmt.summary(a.description, 50)},
        ],
      });
      return;
    }
    await this.printDetail({
      id: artifact.id,
      record: artifact,
      sections: (fmt) => [
        {
          fields: [
            ['ID', artifact.id],
            ['Key', artifact.key ?? ''],
            ['Type', artifact.type ?? ''],
            ['Description', artifact.description ?? ''],
            ['Flow run', artifact.flow_run_id ?? ''],
            ['Task run', artifact.task_run_id ?? ''],
            ['Created', fmt.time(artifact.created)],
            ['Updated', fmt.time(artifact.updated)],
            ['Metadata', fmt.text(artifact.metadata_)],
            ['Data', fmt.text(artifact.data)],
          ],
        },
      ],
    });
  }
}
