import {Args, Flags} from '@oclif/core';

import {DeploymentWriteCommand, nowIso} from '../../cli/deployment-write-command.js';
import {isLosslessNumber, pythonNumberText} from '../../db/codecs/json-text.js';
import {writeFlags} from '../../cli/write-flags.js';
import {usageError} from '../../errors.js';

export default class DeploymentRun extends DeploymentWriteCommand<typeof DeploymentRun> {
  static summary = 'Create a flow run of a deployment, as `prefect deployment run` (POST /deployments/{id}/create_flow_run) does';

  static description =
    'The run starts Scheduled (now, or at --start-in/--start-at); a worker polling the deployment\'s queue picks it up. ' +
    'Parameters are merged over the deployment\'s and checked against its schema when it enforces one.';

  static examples = [
    '<%= config.bin %> deployment run etl/nightly --param day=\'"mon"\' --param limit=10',
    '<%= config.bin %> deployment run etl/nightly --params \'{"day": "mon"}\' --start-in 30m --tag manual',
    'echo \'{"day": "tue"}\' | <%= config.bin %> deployment run etl/nightly --params -',
  ];

  static args = {deployment: Args.string({description: 'FLOW/DEPLOYMENT, id or unique id prefix', required: true})};

  static flags = {
    param: Flags.string({char: 'p', description: 'a parameter as key=JSON (a value that is not JSON is a string); repeatable', multiple: true, multipleNonGreedy: true}),
    params: Flags.string({description: 'parameters as a JSON object, or - to read it from stdin'}),
    'job-variable': Flags.string({description: 'a job variable as key=JSON; repeatable', multiple: true, multipleNonGreedy: true}),
    'start-in': Flags.string({description: 'start after this long: 30s, 5m, 2h, 1d', exclusive: ['start-at']}),
    'start-at': Flags.string({description: 'start at this time (ISO-8601)'}),
    tag: Flags.string({description: 'tags for the run, added to the deployment\'s (repeatable or comma list)', multiple: true, multipleNonGreedy: true, delimiter: ','}),
    'flow-run-name': Flags.string({description: 'the run\'s name; {param} is replaced by that parameter\'s value'}),
    'work-queue': Flags.string({description: "a queue of the deployment's work pool to send the run to"}),
    ...writeFlags,
  };

  async run(): Promise<void> {
    const {parseJsonObject, parseKeyValue} = await import('../../cli/json-input.js');
    const {parseTimeInput} = await import('../../cli/time-input.js');
    const {flags} = this;
    const parameters: Record<string, unknown> = flags.params === undefined ? {} : await parseJsonObject(flags.params, '--params');
    for (const item of flags.param ?? []) {
      const [key, value] = parseKeyValue(item, '--param');
      parameters[key] = value;
    }
    const jobVariables = Object.fromEntries((flags['job-variable'] ?? []).map((item) => parseKeyValue(item, '--job-variable')));
    const now = nowIso();
    let scheduledTime: string | undefined;
    if (flags['start-in'] !== undefined) {
      if (!/^\d+(\.\d+)?[smhdw]$/i.test(flags['start-in'].trim())) throw usageError(`--start-in "${flags['start-in'].slice(0, 20)}": give a duration such as 30s, 5m, 2h or 1d`);
      scheduledTime = parseTimeInput(`+${flags['start-in'].trim()}`, Date.parse(now));
    } else if (flags['start-at'] !== undefined) {
      scheduledTime = parseTimeInput(flags['start-at'], Date.parse(now));
    }
    const deployment = await this.openDeployment(this.args.deployment);
    // As Prefect's CLI: only parameters the deployment's schema names.
    const schema = deployment.parameter_openapi_schema as {properties?: Record<string, unknown>} | null;
    const known = Object.keys(schema?.properties ?? {});
    const unknown = Object.keys(parameters).filter((key) => !known.includes(key));
    if (unknown.length > 0) {
      const available = known.length > 0 ? `it takes ${known.join(', ')}` : 'it takes no parameters';
      throw usageError(`the deployment has no parameter ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}: ${available}`);
    }
    const {createManualRun} = await import('../../services/deployment-run.js');
    const merged = {...((deployment.parameters as Record<string, unknown> | null) ?? {}), ...parameters};
    const created = await createManualRun(this.ctx, deployment, {
      parameters,
      jobVariables,
      tags: flags.tag ?? [],
      name: flags['flow-run-name'] === undefined ? undefined : formatRunName(flags['flow-run-name'], merged),
      scheduledTime,
      workQueueName: flags['work-queue'],
      now,
      dryRun: this.dryRun,
    });
    const {id} = created.detail;
    this.report(`Created flow run ${id} of ${deployment.flow_name}/${deployment.name}`, `create flow run ${id} of ${deployment.flow_name}/${deployment.name}`);
    // The new run exactly as `flow-run inspect` shows it; in a dry run, as it would be.
    const {flowRunDetailView} = await import('../../render/flow-run-view.js');
    await this.printDetail(flowRunDetailView(created.detail, created.extras));
  }
}

/** Prefect's CLI fills "{param}" fields of the name from the parameters with Python's str(). */
function formatRunName(template: string, parameters: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_whole, key: string) => {
    if (!(key in parameters)) throw usageError(`--flow-run-name uses {${key}}, which is not a parameter of the run`);
    return pythonStr(parameters[key]);
  });
}

function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (isLosslessNumber(value)) return pythonNumberText(value);
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  return String(value);
}
