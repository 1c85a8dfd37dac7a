import {describeDataMigration} from './data-migration-suite.js';
import {workPoolStorage} from './late-chain-cases.js';

// Down: storage configurations go, every work pool keeps the rest through the rebuild (SQLite).
describeDataMigration('migration 31: work_pool.storage_configuration', workPoolStorage);
