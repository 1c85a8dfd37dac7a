import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import {SEED_DEFAULTS, validateSeedOptions} from '../../seed/options.js';

export default class DbSeed extends BaseCommand<typeof DbSeed> {
  static summary = 'Fill a database with realistic, internally consistent Prefect data (for demos, tests and benchmarks)';

  static description =
    'Creates the schema first when the SQLite file does not exist or the PostgreSQL database is empty. ' +
    'Generates flows, work pools with queues and workers, deployments with interval, cron and rrule schedules, ' +
    'and flow and task runs whose state histories and run columns are what Prefect\'s orchestration would have left, ' +
    'plus logs and artifacts. The same --seed and --now give the same rows. A summary goes to stderr (stdout with --json).';

  static examples = [
    '<%= config.bin %> db seed --db ./demo.db',
    '<%= config.bin %> db seed --db ./big.db --flow-runs 1000000 --seed 7',
    '<%= config.bin %> db seed --db postgresql://postgres@localhost:5432/prefect --flow-runs 50000 --append',
  ];

  static flags = {
    seed: Flags.integer({description: 'seed of the random generator: the same seed (and --now) gives the same rows', default: SEED_DEFAULTS.seed, min: 0}),
    now: Flags.string({description: 'the moment the data is "as of" (ISO-8601); default: the current time'}),
    flows: Flags.integer({description: 'number of flows', default: SEED_DEFAULTS.flows, min: 0}),
    deployments: Flags.integer({description: 'number of deployments, each with one schedule', default: SEED_DEFAULTS.deployments, min: 0}),
    'flow-runs': Flags.integer({description: 'number of flow runs', default: SEED_DEFAULTS.flowRuns, min: 0}),
    'task-runs-per-flow-run': Flags.integer({description: 'task runs in each flow run that ran', default: SEED_DEFAULTS.taskRunsPerFlowRun, min: 0}),
    'logs-per-run': Flags.integer({description: 'log lines per flow run (half as many per task run)', default: SEED_DEFAULTS.logsPerRun, min: 0}),
    append: Flags.boolean({description: 'add to a database that already holds flow runs'}),
  };

  async run(): Promise<void> {
    const {parseInstant} = await import('../../db/codecs/instant.js');
    const {seedDatabase} = await import('../../seed/seed-database.js');
    const {formatSeedSummary} = await import('../../seed/summary.js');
    const {flags} = this;
    const instant = flags.now ? parseInstant(flags.now) : undefined;
    const now = instant ? instant.seconds * 1e6 + instant.micros : Date.now() * 1000;
    const request = {
      seed: flags.seed,
      now,
      flows: flags.flows,
      deployments: flags.deployments,
      flowRuns: flags['flow-runs'],
      taskRunsPerFlowRun: flags['task-runs-per-flow-run'],
      logsPerRun: flags['logs-per-run'],
      append: flags.append,
    };
    validateSeedOptions(request);
    const {db, schema} = await this.connect({write: true, create: true});
    const result = await seedDatabase(db, schema, request, await this.progressListener());
    this.clearProgress();
    if (this.outputFormat === 'table') {
      if (!flags.quiet) process.stderr.write(formatSeedSummary(result));
      return;
    }
    this.writeStdout(JSON.stringify(result, null, 2) + '\n');
  }
}
