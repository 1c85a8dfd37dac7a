import {describeDataMigration} from './data-migration-suite.js';
import {blockDocumentSelfReferences} from './late-chain-cases.js';

// Up: self-references are deleted, other references survive the rebuild (SQLite) untouched.
describeDataMigration('migration 41: block documents may not reference themselves', blockDocumentSelfReferences);
