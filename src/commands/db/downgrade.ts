import {Flags} from '@oclif/core';

import {MigrationCommand, migrationFlags} from '../../cli/migration-command.js';

export default class DbDowngrade extends MigrationCommand<typeof DbDowngrade> {
  static summary = "Downgrade a Prefect database along Prefect's own migration chain to an earlier revision or release, as Prefect's downgrade scripts do";

  static description = `From the database's alembic revision down to --to, running each of Prefect's downgrade scripts in turn. The plan names first what is lost (tables and columns dropped, with their row counts). Where one of Prefect's downgrades would fail on rows the database holds (a variable whose value cannot go back into the old column), nothing is changed and those rows are named (exit 4). On a terminal it asks, otherwise --yes. One transaction per migration with its alembic_version update. Stop the Prefect server first.`;

  static examples = [
    '<%= config.bin %> db downgrade --to 2.20.0 --dry-run',
    '<%= config.bin %> db downgrade --to 3.0.0 --backup ./prefect-before-downgrade.db --yes',
  ];

  static flags = {
    to: Flags.string({description: "where to stop: a revision id of the database's dialect or a Prefect release (2.19.0: the last migration of that release)", required: true}),
    ...migrationFlags,
  };

  async run(): Promise<void> {
    await this.migrate('down', this.flags.to);
  }
}
