import {Flags} from '@oclif/core';

import {BaseCommand} from '../../base-command.js';

export default class DbInit extends BaseCommand<typeof DbInit> {
  static summary = "Create Prefect's database schema (head revision, or --to an earlier one) in a new SQLite file or an empty PostgreSQL database";

  static description =
    'Runs prefectdb\'s Knex migrations, which build the schema of Prefect\'s latest alembic revision table for table and index for index, ' +
    'and stamp alembic_version so a Prefect server of that revision runs on it. A database Prefect built is left alone. ' +
    "--to REV|RELEASE builds the schema of that revision instead, through Prefect's migration chain from 2.13.0, so a Prefect of that release runs on it.";

  static examples = [
    '<%= config.bin %> db init --db ./prefect.db',
    '<%= config.bin %> db init --db postgresql://postgres@localhost:5432/prefect',
    '<%= config.bin %> db init --db ./prefect-2.20.db --to 2.20.0',
  ];

  static flags = {
    to: Flags.string({description: "build the schema of this revision (of the database's dialect), Prefect release (2.20.0) or head, through Prefect's migration chain"}),
  };

  async run(): Promise<void> {
    const {initDatabase} = await import('../../services/database-init.js');
    if (this.flags.to !== undefined) {
      // A bad --to is refused before a new SQLite file is created.
      const [{loadChain}, {targetPosition}] = await Promise.all([import('../../db/migration-chain.js'), import('../../services/migrations/chain-position.js')]);
      const {dialect} = this.databaseTarget;
      targetPosition(await loadChain(dialect), dialect, this.flags.to);
    }
    const {db, schema} = await this.connect({write: true, create: true});
    const result = await initDatabase(db, schema, this.flags.to);
    if (this.outputFormat === 'table' && !this.flags.quiet) {
      process.stderr.write(`${result.message}\n`);
      return;
    }
    await this.printDetail({id: result.alembic_revision ?? '', record: {...result}, sections: () => []});
  }
}
