import {BaseCommand} from '../../base-command.js';

export default class DbInit extends BaseCommand<typeof DbInit> {
  static summary = "Create Prefect's database schema (head revision) in a new SQLite file or an empty PostgreSQL database";

  static description =
    'Runs prefectdb\'s Knex migrations, which build the schema of Prefect\'s latest alembic revision table for table and index for index, ' +
    'and stamp alembic_version so a Prefect server of that revision runs on it. A database Prefect built is left alone.';

  static examples = [
    '<%= config.bin %> db init --db ./prefect.db',
    '<%= config.bin %> db init --db postgresql://postgres@localhost:5432/prefect',
  ];

  async run(): Promise<void> {
    const {initDatabase} = await import('../../services/database-init.js');
    const {db, schema} = await this.connect({write: true, create: true});
    const result = await initDatabase(db, schema);
    if (this.outputFormat === 'table' && !this.flags.quiet) {
      process.stderr.write(`${result.message}\n`);
      return;
    }
    await this.printDetail({id: result.alembic_revision ?? '', record: {...result}, sections: () => []});
  }
}
