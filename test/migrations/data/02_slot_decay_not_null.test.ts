import {describeDataCase} from '../../support/data-migration.js';
import {dataCase} from './02_slot_decay_not_null.case.js';

describeDataCase('migration 02: concurrency_limit_v2.slot_decay_per_second becomes NOT NULL', dataCase);
