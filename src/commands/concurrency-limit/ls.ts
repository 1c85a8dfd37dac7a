import {BaseCommand} from '../../base-command.js';
import {effectiveLimit, limitFlagsNaming} from '../../cli/list-flags.js';
import type {TagLimitRecord} from '../../services/tag-concurrency-limits.js';

export default class ConcurrencyLimitLs extends BaseCommand<typeof ConcurrencyLimitLs> {
  static summary = 'List tag concurrency limits (Prefect\'s version 1 limits) with their slots in use';

  static description =
    'The list is collected whole before it is printed, with --all too: it merges the "tag:" global limits with the version 1 rows they shadow. Tag limits are few; other lists stream with --all.';

  static examples = ['<%= config.bin %> concurrency-limit ls', '<%= config.bin %> concurrency-limit ls --json'];

  static flags = {...limitFlagsNaming(['tag', 'limit', 'slots_in_use', 'active_task_runs', 'id'])};

  async run(): Promise<void> {
    const {listTagLimits} = await import('../../services/tag-concurrency-limits.js');
    const {TAG_LIMIT_COLUMNS} = await import('../../render/concurrency-limit-views.js');
    const {repositoryContext} = await import('../../repositories/common.js');
    const {db, schema} = await this.connectToPrefect();
    const all = await listTagLimits(repositoryContext(db, schema));
    const limit = effectiveLimit(this.flags);
    const rows = limit === undefined ? all : all.slice(0, limit);
    await this.printList<TagLimitRecord>({noun: 'concurrency limits', rows, total: rows.length < all.length ? all.length : undefined, columns: TAG_LIMIT_COLUMNS});
  }
}
