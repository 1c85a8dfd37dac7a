import {describeDataMigration} from './data-migration-suite.js';
import {deploymentScheduleSlug} from './late-chain-cases.js';

// Down: slugs go, every schedule keeps the rest through the rebuild (SQLite).
describeDataMigration('migration 30: deployment_schedule.slug', deploymentScheduleSlug);
