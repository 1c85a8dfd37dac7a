import {Args, Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import type {LogRecord} from '../../repositories/logs.js';

export default class FlowRunLogs extends BaseCommand<typeof FlowRunLogs> {
  static summary = "Print a flow run's logs, its task runs' included, oldest first";

  static description =
    'Lines follow Prefect\'s console layout, "HH:MM:SS.mmm | LEVEL   | logger - message", in UTC; --absolute adds the date. ' +
    'With -o json/jsonl/csv each log is a record.';

  static examples = [
    '<%= config.bin %> flow-run logs 0199a3c4',
    '<%= config.bin %> flow-run logs 0199a3c4 --tail 50 --level WARNING',
    '<%= config.bin %> flow-run logs 0199a3c4 -o jsonl > run.jsonl',
  ];

  static args = {
    id: Args.string({description: 'flow run id or unique id prefix', required: true}),
  };

  static flags = {
    head: Flags.integer({description: 'only the first N logs', min: 1, exclusive: ['tail']}),
    tail: Flags.integer({char: 'n', description: 'only the last N logs', min: 1, exclusive: ['head']}),
    level: Flags.string({description: 'only logs at this level or above: DEBUG, INFO, WARNING, ERROR, CRITICAL or a number'}),
  };

  async run(): Promise<void> {
    const {parseLogLevel, readFlowRunLogs} = await import('../../repositories/logs.js');
    const {resolveId, repositoryContext} = await import('../../repositories/common.js');
    const minLevel = this.flags.level === undefined ? undefined : parseLogLevel(this.flags.level);
    const {db, schema} = await this.connectToPrefect();
    const ctx = repositoryContext(db, schema);
    const flowRunId = await resolveId(ctx, 'flow_run', this.args.id, 'flow run');
    const result = await readFlowRunLogs(ctx, flowRunId, {minLevel, head: this.flags.head, tail: this.flags.tail});
    const view = {noun: 'logs', ...result, columns: [], moreHint: 'leave out --head/--tail for all'};
    if (this.outputFormat !== 'table' || this.flags.quiet) return this.printList<LogRecord>(view);
    const {formatLogLine} = await import('../../render/log-line.js');
    this.writeStdout(result.rows.map((log) => formatLogLine(log, this.renderOptions.absolute) + '\n').join(''));
    const {listNotice} = await import('../../render/view.js');
    const notice = listNotice(view);
    if (notice) process.stderr.write(notice + '\n');
  }
}
