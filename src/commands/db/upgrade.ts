import {Flags} from '@oclif/core';

import {MigrationCommand, migrationFlags} from '../../cli/migration-command.js';

export default class DbUpgrade extends MigrationCommand<typeof DbUpgrade> {
  static summary = "Upgrade a Prefect database along Prefect's own migration chain, as `prefect server database upgrade` would, without Prefect";

  static description = `From the database's alembic revision to --to (default head): each of Prefect's migrations from 2.13.0 on, data migrations included, leaving the schema Prefect's own scripts leave. The plan comes first (revision, Prefect release, what each step does, rows it touches); on a terminal it asks, otherwise --yes. Each migration is one transaction with its alembic_version update: interrupted at any moment, the database is at a clean revision and running the command again finishes the job. Stop the Prefect server first, as Prefect's own upgrade asks.`;

  static examples = [
    '<%= config.bin %> db upgrade --dry-run',
    '<%= config.bin %> db upgrade --backup ./prefect-before-upgrade.db --yes',
    '<%= config.bin %> db upgrade --to 3.0.0 --yes -o json',
  ];

  static flags = {
    to: Flags.string({description: 'where to stop: head, a revision id of the database\'s dialect, or a Prefect release (3.0.0: the last migration of that release)', default: 'head'}),
    ...migrationFlags,
  };

  async run(): Promise<void> {
    await this.migrate('up', this.flags.to);
  }
}
