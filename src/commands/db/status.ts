import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';
import type {TableSize} from '../../repositories/health-storage.js';

export default class DbStatus extends BaseCommand<typeof DbStatus> {
  static summary = 'Describe the database: where it is, its Prefect revision, whether prefectdb can read and write it, row counts';

  static examples = [
    '<%= config.bin %> db status',
    '<%= config.bin %> db status --db postgresql://prefect@localhost:5432/prefect --json',
  ];

  static flags = {
    sizes: Flags.boolean({description: 'add each table\'s size on disk (table and indexes), largest first'}),
    exact: Flags.boolean({
      description: 'count every row of every table (reads whole tables); by default tables of 100,000 rows or more show an estimate, marked ≈',
    }),
  };

  async run(): Promise<void> {
    const {describeDatabase} = await import('../../services/database-status.js');
    const {db, schema} = await this.connect();
    const status: Awaited<ReturnType<typeof describeDatabase>> & {table_sizes?: TableSize[]} = await describeDatabase(db, schema, {exactCounts: this.flags.exact});
    if (this.flags.sizes) {
      const {tableSizes} = await import('../../repositories/health-storage.js');
      status.table_sizes = await tableSizes(db.knex, db.dialect);
    }
    await this.printDetail({
      id: status.alembic_revision ?? '',
      record: status as unknown as Record<string, unknown>,
      sections: (format) => [
        {
          fields: [
            ['Dialect', status.dialect],
            ['Database', status.url],
            ['Chosen by', status.source],
            ['Contents', status.kind],
            ['Alembic revision', status.alembic_revision ?? '(none)'],
            ['Prefect release', status.prefect_release ?? (status.kind === 'prefect' ? 'unknown revision' : '')],
            ['Schema head', describeHead(status)],
            ['Created by prefectdb', status.created_by_prefectdb ? 'yes' : 'no'],
            ['Readable', status.readable ? 'yes' : 'no'],
            ['Writable', status.writable ? 'yes' : `no: ${status.unwritable_reason}`],
            ...(status.sqlite
              ? ([
                  ['Journal mode', status.sqlite.journal_mode],
                  ['File size', `${status.sqlite.file_size_bytes.toLocaleString('en-US')} bytes`],
                ] as Array<[string, string]>)
              : []),
            ...(status.postgres
              ? ([
                  ['Server version', status.postgres.server_version],
                  ['Schema', status.postgres.schema],
                ] as Array<[string, string]>)
              : []),
          ],
        },
        {
          title: status.estimated_row_counts.length > 0 ? 'Rows (≈ estimated from the database\'s own statistics; --exact counts them)' : 'Rows',
          headers: ['TABLE', 'ROWS'],
          rows: Object.entries(status.row_counts).map(([table, count]) => [
            table,
            count === null
              ? format.dim('(no table)')
              : `${status.estimated_row_counts.includes(table) ? '≈ ' : ''}${count.toLocaleString('en-US')}`,
          ]),
        },
        ...(status.table_sizes
          ? [
              {
                title: 'Sizes',
                headers: ['TABLE', 'TOTAL BYTES', 'TABLE BYTES', 'INDEX BYTES'],
                rows: status.table_sizes.map((size) => [
                  size.table,
                  size.total_bytes.toLocaleString('en-US'),
                  size.table_bytes.toLocaleString('en-US'),
                  size.index_bytes.toLocaleString('en-US'),
                ]),
              },
            ]
          : []),
      ],
    });
  }
}

function describeHead(status: {is_head: boolean; migrations_behind_head: number | null}): string {
  const behind = status.migrations_behind_head;
  if (status.is_head) return 'yes';
  if (!behind) return 'no';
  return `no (${behind} migration${behind === 1 ? '' : 's'} behind head: run \`prefectdb db upgrade\`)`;
}
