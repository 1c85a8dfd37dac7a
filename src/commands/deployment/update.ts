import {Args, Flags} from '@oclif/core';

import {DeploymentWriteCommand, nowIso, runsPhrase} from '../../cli/deployment-write-command.js';
import {writeFlags} from '../../cli/write-flags.js';

export default class DeploymentUpdate extends DeploymentWriteCommand<typeof DeploymentUpdate> {
  static summary = "Change a deployment's settings, as PATCH /deployments/{id} does (its future auto-scheduled runs are deleted)";

  static description =
    'Prefect deletes the future auto-scheduled runs on every update so that the scheduler makes them again from the new ' +
    'settings; run `deployment schedule-runs` afterwards (or let Prefect\'s scheduler) to refill them.';

  static examples = [
    '<%= config.bin %> deployment update etl/nightly --description "Nightly load" --tag prod --tag etl --yes',
    '<%= config.bin %> deployment update etl/nightly --param day=\'"tue"\' --concurrency-limit 2 --collision-strategy CANCEL_NEW --yes',
    '<%= config.bin %> deployment update etl/nightly --work-pool k8s --work-queue high --yes',
  ];

  static args = {deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true})};

  static flags = {
    description: Flags.string({description: 'new description'}),
    version: Flags.string({description: 'new version'}),
    tag: Flags.string({description: 'the deployment\'s tags, replacing the current ones (repeatable or comma list)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
    'clear-tags': Flags.boolean({description: 'remove every tag', exclusive: ['tag']}),
    parameters: Flags.string({description: 'default parameters as a JSON object (replace the current ones), or - for stdin'}),
    param: Flags.string({description: 'set one default parameter, key=JSON; repeatable', multiple: true, multipleNonGreedy: true}),
    'job-variables': Flags.string({description: 'job variables as a JSON object (replace the current ones)'}),
    'job-variable': Flags.string({description: 'set one job variable, key=JSON; repeatable', multiple: true, multipleNonGreedy: true}),
    'work-pool': Flags.string({description: "work pool (its default queue unless --work-queue)"}),
    'work-queue': Flags.string({description: 'work queue of the work pool', dependsOn: ['work-pool']}),
    'concurrency-limit': Flags.integer({description: 'how many runs may be active at once (a deployment concurrency limit)', min: 1}),
    'no-concurrency-limit': Flags.boolean({description: 'remove the concurrency limit', exclusive: ['concurrency-limit']}),
    'collision-strategy': Flags.option({description: 'what happens to a run when the limit is full', options: ['ENQUEUE', 'CANCEL_NEW'] as const})(),
    paused: Flags.boolean({description: 'pause (--no-paused: resume) without the run clearing of `deployment pause`', allowNo: true}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {parseJsonObject, parseKeyValue} = await import('../../cli/json-input.js');
    const {usageError, refusedError} = await import('../../errors.js');
    const {flags} = this;
    const deployment = await this.openDeployment(this.args.deployment);
    const {schema} = this.session;
    const columns: Record<string, unknown> = {};
    const need = (column: string, what: string) => {
      if (!schema.hasColumn('deployment', column)) throw refusedError(`${what} is not stored at this database's revision (no deployment.${column})`);
    };
    if (flags.description !== undefined) columns.description = flags.description;
    if (flags.version !== undefined) columns.version = flags.version;
    if (flags.tag !== undefined || flags['clear-tags']) columns.tags = [...new Set(flags.tag ?? [])];
    if (flags.parameters !== undefined || flags.param !== undefined) {
      const base = flags.parameters === undefined ? {...((deployment.parameters as Record<string, unknown> | null) ?? {})} : await parseJsonObject(flags.parameters, '--parameters');
      for (const item of flags.param ?? []) {
        const [key, value] = parseKeyValue(item, '--param');
        base[key] = value;
      }
      if (deployment.enforce_parameter_schema) {
        const {validateParameters} = await import('../../runs/parameter-schema.js');
        validateParameters(base, deployment.parameter_openapi_schema);
      }
      columns.parameters = base;
    }
    if (flags['job-variables'] !== undefined || flags['job-variable'] !== undefined) {
      const base = flags['job-variables'] === undefined ? {...((deployment.job_variables as Record<string, unknown> | null) ?? {})} : await parseJsonObject(flags['job-variables'], '--job-variables');
      for (const item of flags['job-variable'] ?? []) {
        const [key, value] = parseKeyValue(item, '--job-variable');
        base[key] = value;
      }
      columns.infra_overrides = base;
    }
    if (flags['work-pool'] !== undefined) {
      const {workQueueIdIn} = await import('../../repositories/deployment-writes.js');
      columns.work_queue_id = await workQueueIdIn(this.ctx, this.session.db.knex, flags['work-pool'], flags['work-queue']);
      if (flags['work-queue'] !== undefined) columns.work_queue_name = flags['work-queue'];
    }
    if (flags['collision-strategy'] !== undefined) {
      need('concurrency_options', 'a collision strategy');
      columns.concurrency_options = {collision_strategy: flags['collision-strategy'], grace_period_seconds: null};
    }
    if (flags.paused !== undefined) {
      if (schema.hasColumn('deployment', 'paused')) columns.paused = flags.paused;
      else columns.is_schedule_active = !flags.paused;
    }
    let concurrencyLimit: number | null | undefined;
    if (flags['concurrency-limit'] !== undefined || flags['no-concurrency-limit']) {
      need('concurrency_limit_id', 'a deployment concurrency limit');
      concurrencyLimit = flags['no-concurrency-limit'] ? null : flags['concurrency-limit']!;
    }
    if (Object.keys(columns).length === 0 && concurrencyLimit === undefined) throw usageError('nothing to change: give at least one setting (see --help)');

    const {countClearableRuns, updateDeployment} = await import('../../services/deployment-changes.js');
    const label = `${deployment.flow_name}/${deployment.name}`;
    const now = nowIso();
    const count = await countClearableRuns(this.ctx, deployment.id, {autoScheduledOnly: true, futureOnly: true}, now);
    if (count > 0) await this.confirm(`Update ${label} and delete its ${runsPhrase(count)} still to come?`);
    const change = await updateDeployment(this.ctx, deployment.id, {columns, concurrencyLimit}, {now, dryRun: this.dryRun});
    this.report(`Updated ${label}; deleted ${runsPhrase(change.deletedRuns)}`, `update ${label} and delete ${runsPhrase(change.deletedRuns)}`);
    await this.printDeployment(change.deployment);
  }
}
