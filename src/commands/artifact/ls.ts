import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming, parseSort} from '../../cli/list-flags.js';
import type {ArtifactRecord} from '../../repositories/artifacts.js';
import type {LimitedRows} from '../../repositories/common.js';
import type {TableColumn} from '../../render/view.js';

export default class ArtifactLs extends BaseCommand<typeof ArtifactLs> {
  static summary = 'List the latest artifact of each key, or every artifact with --all-versions';

  static description =
    'By default one row per key (Prefect\'s artifact collections), and -q prints the latest artifact\'s id. ' +
    '--all-versions lists every artifact row, including artifacts without a key.';

  static examples = [
    '<%= config.bin %> artifact ls',
    '<%= config.bin %> artifact ls --all-versions --flow-run 3f2a --json',
    '<%= config.bin %> artifact ls --type markdown --sort updated',
  ];

  static flags = {
    'all-versions': Flags.boolean({description: 'every artifact, not only the latest of each key'}),
    key: Flags.string({description: 'only artifacts with this key'}),
    type: Flags.string({description: 'only artifacts of this type: markdown, table, link, result, progress, image…'}),
    'flow-run': Flags.string({description: 'only artifacts of this flow run (id or id prefix)'}),
    'task-run': Flags.string({description: 'only artifacts of this task run (id or id prefix)'}),
    sort: Flags.string({description: 'key, created or updated, optionally :asc or :desc', default: 'key'}),
    ...limitFlagsNaming(['id', 'key', 'type', 'description', 'updated']),
  };

  async run(): Promise<void> {
    const {listArtifacts, streamArtifacts, ARTIFACT_SORT_FIELDS} = await import('../../repositories/artifacts.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {flags} = this;
    const allVersions = flags['all-versions'];
    const options = {
      filter: {key: flags.key, type: flags.type, flowRun: flags['flow-run'], taskRun: flags['task-run']},
      allVersions,
      sort: parseSort(flags.sort, ARTIFACT_SORT_FIELDS),
      limit: effectiveLimit(flags),
    };
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    type Listed = ArtifactRecord & {latest_id?: string};
    const view = {
      noun: allVersions ? 'artifacts' : 'artifact keys',
      // A collection's own id is no use to `artifact inspect`; its latest artifact's id is.
      idKey: (allVersions ? 'id' : 'latest_id') as keyof Listed,
      columns: [
        {header: 'ID', cell: (a) => a.latest_id ?? a.id},
        {header: 'KEY', key: 'key', cell: (a) => a.key ?? ''},
        {header: 'TYPE', key: 'type', cell: (a) => a.type ?? ''},
        {header: 'DESCRIPTION', key: 'description', cell: (a, fmt) => fmt.summary(a.description, 50)},
        {header: 'UPDATED', key: 'updated', cell: (a, fmt) => fmt.time(a.updated)},
      ] as TableColumn<Listed>[],
    };
    if (options.limit === undefined) return this.printListStream<Listed>(view, (onRows) => streamArtifacts(ctx, options, (rows) => onRows(rows as Listed[])));
    await this.printList<Listed>({...view, ...((await listArtifacts(ctx, options)) as LimitedRows<Listed>)});
  }
}
