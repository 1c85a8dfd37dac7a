import {describeDataMigration} from './data-migration-suite.js';
import {taskRunStateKey} from './late-chain-cases.js';

// Up: the rebuild (SQLite) keeps every task run as it was. Down: a task run pointing at a
// state that does not exist loses the reference, as in Prefect's downgrade.
describeDataMigration('migration 37: task_run.state_id without a foreign key', taskRunStateKey);
