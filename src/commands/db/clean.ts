import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class DbClean extends BaseCommand<typeof DbClean> {
  static summary = "Delete old runs and what Prefect leaves behind, as Prefect's database vacuum service does and more";

  static description = `Deletes top-level flow runs in a terminal state (COMPLETED, FAILED, CANCELLED, CRASHED, or those of --state-type) that ended before --older-than, with their subflows in any state (at any depth; deployment slots given back), task runs, states, logs, artifacts (collections repointed or removed), task_run_state_cache and flow_run_input rows. Then orphans: logs and artifacts whose flow run or task run is gone, cache rows whose state is gone, collections pointing at no artifact; with --orphans also Scheduled runs of deployments that no longer exist. --events AGE also deletes events and event_resources that occurred before AGE.

Works in short batches (bounded in rows and lock time; a live Prefect server can keep writing), and an interrupted clean is finished by running it again. --archive DIR first writes every row it deletes as DIR/TABLE.jsonl.gz (JSON Lines, values decoded as JSON output shows them; a re-run appends). --vacuum gives the space back afterwards and reports sizes before and after. --dry-run counts and writes nothing.`;

  static examples = [
    '<%= config.bin %> db clean --older-than 90d --dry-run',
    '<%= config.bin %> db clean --older-than 30d --state-type COMPLETED --archive ./archive --yes',
    '<%= config.bin %> db clean --older-than 90d --orphans --events 7d --vacuum --yes -o json',
  ];

  static flags = {
    ...writeFlags,
    'older-than': Flags.string({description: 'delete runs that ended before this: an age (90d, 12h, 3600s) or an ISO instant', required: true}),
    'state-type': Flags.string({description: 'only runs in these terminal state types (repeatable or comma list; default all four)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
    orphans: Flags.boolean({description: 'also delete Scheduled runs of deployments that no longer exist'}),
    events: Flags.string({description: 'also delete events and event_resources that occurred before this age or instant'}),
    archive: Flags.directory({description: 'write every deleted row to DIR/TABLE.jsonl.gz first (created if missing)'}),
    vacuum: Flags.boolean({description: 'reclaim the space afterwards (SQLite VACUUM, PostgreSQL VACUUM (ANALYZE)) and report sizes'}),
  };

  async run(): Promise<void> {
    const {parseTimeInput} = await import('../../cli/time-input.js');
    const {usageError} = await import('../../errors.js');
    const {TERMINAL_STATE_TYPES} = await import('../../repositories/retention.js');
    const {flags} = this;
    const olderThan = parseTimeInput(flags['older-than']);
    const eventsBefore = flags.events === undefined ? undefined : parseTimeInput(flags.events);
    const stateTypes = (flags['state-type'] ?? [...TERMINAL_STATE_TYPES]).map((type) => type.trim().toUpperCase());
    const notTerminal = stateTypes.filter((type) => !(TERMINAL_STATE_TYPES as readonly string[]).includes(type));
    if (notTerminal.length > 0) {
      throw usageError(`--state-type ${notTerminal[0].slice(0, 20)} is not a terminal state type: db clean takes ${TERMINAL_STATE_TYPES.join(', ')}`);
    }

    const {repositoryContext} = await import('../../repositories/common.js');
    const {cleanDatabase, expiredRunCount, expiredRunSample} = await import('../../services/db-clean.js');
    const {sampleLines} = await import('../../cli/selection-sample.js');
    const {db, schema} = await this.connectForWrite();
    const ctx = repositoryContext(db, schema);
    const rule = {endedBefore: db.codec.encodeTimestamp(olderThan) as string, stateTypes};
    const runs = await expiredRunCount(ctx, rule);
    await this.confirm(
      `Delete ${runs.toLocaleString('en-US')} flow run${runs === 1 ? '' : 's'} that ended before ${olderThan} (with subflows, task runs, logs, artifacts) and orphaned rows${flags.events ? ', and events before ' + eventsBefore : ''}?`,
      sampleLines(await expiredRunSample(ctx, rule, 5), runs, 'flow runs that ended before the cutoff'),
    );
    const {RowArchive} = await import('../../services/archive.js');
    const dryRun = Boolean(flags['dry-run']);
    const report = await cleanDatabase(ctx, {
      rule,
      orphanScheduledRuns: Boolean(flags.orphans),
      eventsBefore: eventsBefore === undefined ? undefined : (db.codec.encodeTimestamp(eventsBefore) as string),
      archive: flags.archive && !dryRun ? new RowArchive(ctx, flags.archive) : undefined,
      vacuum: Boolean(flags.vacuum),
      dryRun,
      expiredRuns: runs,
      onProgress: await this.progressListener(),
    });
    this.clearProgress();
    const {repointedCollections, longestBatchMs, ...output} = report;
    if (this.outputFormat === 'table' && !flags.quiet) {
      await this.printList({
        noun: 'tables',
        rows: Object.entries(output.deleted).map(([table, n]) => ({table, deleted: n, archived: output.archived[table] ?? 0})),
        columns: [
          {header: 'TABLE', key: 'table', cell: (r) => r.table},
          {header: dryRun ? 'WOULD DELETE' : 'DELETED', cell: (r) => r.deleted.toLocaleString('en-US')},
          {header: 'ARCHIVED', key: 'archived', cell: (r) => r.archived.toLocaleString('en-US')},
        ],
      });
      if (output.sizes) process.stderr.write(`Sizes before: ${JSON.stringify(output.sizes.before)}\nSizes after: ${JSON.stringify(output.sizes.after)}\n`);
    } else if (!flags.quiet) {
      await this.printDetail({id: '', record: output, sections: () => []});
    }
    process.stderr.write(
      `${dryRun ? 'Would repoint' : 'Repointed'} ${repointedCollections} artifact collection(s); longest lock hold ${Math.round(longestBatchMs)} ms${dryRun ? ' (dry run: nothing written)' : ''}\n`,
    );
  }
}
