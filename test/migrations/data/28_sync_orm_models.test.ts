import {describeDataMigration} from './data-migration-suite.js';
import {syncOrmModels} from './mid-chain-cases.js';

// Up: the SQLite rebuilds keep every other column's values; PostgreSQL gives an empty
// artifact_collection.latest_id a fresh id. Down: the dropped columns come back with defaults.
describeDataMigration('migration 28: the schema synced with the ORM models', syncOrmModels);
