import {describeDataMigration} from './data-migration-suite.js';
import {deploymentConcurrencyLimits} from './mid-chain-cases.js';

// Up: a deployment with a limit named deployment:<its id> points at it; others stay unlinked.
describeDataMigration('migration 26: deployments point at their global concurrency limit', deploymentConcurrencyLimits);
